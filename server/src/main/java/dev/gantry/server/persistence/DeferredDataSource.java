package dev.gantry.server.persistence;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource whose pool is still being started. It lets Hibernate build its metadata while PostgreSQL boots;
 * the first connection request waits for the pool.
 */
final class DeferredDataSource implements DataSource {
    private final CompletableFuture<? extends DataSource> pool;

    DeferredDataSource(CompletableFuture<? extends DataSource> pool) {
        this.pool = pool;
    }

    private DataSource pool() throws SQLException {
        try {
            return pool.join();
        } catch (CompletionException e) {
            throw new SQLException("the database did not start: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return pool().getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool().getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool().setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool().setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool().getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return pool().unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return pool().isWrapperFor(type);
    }
}
