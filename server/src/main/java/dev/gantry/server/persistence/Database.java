package dev.gantry.server.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's PostgreSQL: embedded or external, pooled by HikariCP, migrated by Flyway, mapped by Hibernate.
 * {@link #start} returns at once; PostgreSQL, the migrations and Hibernate's metadata come up in parallel, and
 * callers that need a session wait for them (or get {@link DatabaseUnavailableException} when start failed).
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final DatabaseConfig config;
    private final Path dataDir;
    private final Collection<EntityClasses> entities;
    private final Replica replica;
    private volatile EmbeddedDatabase embedded;
    private CompletableFuture<HikariDataSource> pool;
    private CompletableFuture<Void> migrated;
    private CompletableFuture<SessionFactory> sessionFactory;
    private CompletableFuture<Void> ready;
    private boolean closed;

    public Database(DatabaseConfig config, Path dataDir, Collection<EntityClasses> entities, Replica replica) {
        this.config = Objects.requireNonNull(config, "config is null");
        this.replica = Objects.requireNonNull(replica, "replica is null");
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir is null");
        this.entities = entities;
    }

    /** Starts everything in the background; {@link #ready()} completes when the database can be used. */
    public synchronized CompletableFuture<Void> start() {
        if (closed) {
            // a shutdown (e.g. SIGTERM) came first: starting now would leave an embedded postgres behind
            throw new DatabaseUnavailableException("the server is shutting down", null);
        }
        if (ready != null) {
            return ready;
        }
        pool = CompletableFuture.supplyAsync(this::openPool);
        migrated = pool.thenAcceptAsync(this::migrate);
        sessionFactory = CompletableFuture.supplyAsync(() -> buildSessionFactory(new DeferredDataSource(pool)));
        ready = CompletableFuture.allOf(migrated, sessionFactory);
        return ready;
    }

    public CompletableFuture<Void> ready() {
        return Objects.requireNonNull(ready, "database not started");
    }

    private HikariDataSource openPool() {
        String url;
        String user;
        String password;
        if (config.embedded()) {
            long started = System.nanoTime();
            try {
                embedded = EmbeddedDatabase.start(dataDir);
            } catch (Exception e) {
                throw new DatabaseUnavailableException("embedded PostgreSQL did not start: " + e.getMessage(), e);
            }
            log.info("Embedded PostgreSQL started in {} ms", (System.nanoTime() - started) / 1_000_000);
            url = embedded.jdbcUrl();
            user = "postgres";
            password = "";
        } else {
            url = config.url().orElseThrow();
            user = config.user();
            password = config.password();
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("gantry");
        hikari.setJdbcUrl(url);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.addDataSourceProperty("ApplicationName", replica.id());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(2);
        hikari.setConnectionTimeout(10_000);
        // at start, keep trying for a while (the database may be starting too), then fail with the reason
        hikari.setInitializationFailTimeout(Math.max(1, config.connectTimeout().toMillis()));
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new DatabaseUnavailableException("cannot connect to PostgreSQL at " + withoutParameters(url) + " as " + user
                    + ": " + rootMessage(e), e);
        }
    }

    private void migrate(DataSource dataSource) {
        long started = System.nanoTime();
        var result = Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration/core")
                .load()
                .migrate();
        if (result.migrationsExecuted == 0) {
            log.info("Database schema up to date (checked in {} ms)", (System.nanoTime() - started) / 1_000_000);
        } else {
            log.info("Database schema migrated to version {} ({} migrations) in {} ms", result.targetSchemaVersion,
                    result.migrationsExecuted, (System.nanoTime() - started) / 1_000_000);
        }
    }

    private SessionFactory buildSessionFactory(DataSource dataSource) {
        long started = System.nanoTime();
        Configuration configuration = new Configuration();
        entities.forEach(group -> group.classes().forEach(configuration::addAnnotatedClass));
        configuration.getProperties().put(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource);
        // metadata is built without a connection, so it can be done while PostgreSQL starts
        configuration.setProperty(AvailableSettings.ALLOW_METADATA_ON_BOOT, "false");
        configuration.setProperty(AvailableSettings.JAKARTA_HBM2DDL_DB_NAME, "PostgreSQL");
        configuration.setProperty(AvailableSettings.JAKARTA_HBM2DDL_DB_MAJOR_VERSION, "15");
        configuration.setProperty(AvailableSettings.JAKARTA_HBM2DDL_DATABASE_ACTION, "none");
        configuration.setProperty(AvailableSettings.SHOW_SQL, "false");
        SessionFactory factory = configuration.buildSessionFactory();
        log.info("Hibernate ready in {} ms", (System.nanoTime() - started) / 1_000_000);
        return factory;
    }

    /** The migrated pool, for code that speaks SQL directly (plugin schemas, LISTEN/NOTIFY). */
    public HikariDataSource dataSource() {
        awaitReady();
        return pool.join();
    }

    public <T> T inTransaction(Function<Session, T> work) {
        awaitReady();
        return sessionFactory.join().fromTransaction(work);
    }

    public void runInTransaction(Consumer<Session> work) {
        awaitReady();
        sessionFactory.join().inTransaction(work);
    }

    /** Work on one JDBC connection, for SQL that Hibernate does not express well (queues, NOTIFY). */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(java.sql.Connection connection) throws java.sql.SQLException;
    }

    /** Runs {@code work} in one transaction on a pooled connection: committed when it returns, rolled back when it throws. */
    public <T> T inSqlTransaction(SqlWork<T> work) {
        try (java.sql.Connection connection = dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (java.sql.SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (java.sql.SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Runs read-only {@code work} on a pooled connection, each statement on its own (no transaction: one round trip
     * per query instead of three). For reads on a hot path, where Hibernate's session costs milliseconds.
     */
    public <T> T read(SqlWork<T> work) {
        try (java.sql.Connection connection = dataSource().getConnection()) {
            return work.run(connection);
        } catch (java.sql.SQLException e) {
            throw failure(e);
        }
    }

    /** What a failed statement means to the caller: the database unreachable (class 08), or the statement wrong. */
    private static RuntimeException failure(java.sql.SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
            return new DatabaseUnavailableException("the database cannot be reached: " + rootMessage(e), e);
        }
        return new IllegalStateException("a database statement failed: " + e.getMessage(), e);
    }

    /**
     * Lets the current transaction's commit return before its WAL reaches the disk (about 0.1 ms instead of an
     * fsync), for writes that a crash of PostgreSQL itself could lose without harm: the WAL is flushed in order, so
     * a later ordinary commit makes them durable too, and they are written again if the work is done again.
     */
    public static void commitWithoutWaitingForDisk(java.sql.Connection connection) throws java.sql.SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("set local synchronous_commit = off");
        }
    }

    private void awaitReady() {
        try {
            ready().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof DatabaseUnavailableException unavailable
                    ? unavailable
                    : new DatabaseUnavailableException("the database is not available: " + rootMessage(e), e);
        }
    }

    /** The JDBC URL the pool connects to (without credentials). */
    public String jdbcUrl() {
        return dataSource().getJdbcUrl();
    }

    /** A JDBC URL without its parameters, which may hold credentials, for messages and logs. */
    public static String withoutParameters(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (ready == null) {
            return;
        }
        // wait for a start in progress, so that nothing it opens is left behind
        try {
            ready.join();
        } catch (CompletionException ignored) {
            // a failed start still closes whatever it opened
        }
        if (sessionFactory.isDone() && !sessionFactory.isCompletedExceptionally()) {
            sessionFactory.join().close();
        }
        if (pool.isDone() && !pool.isCompletedExceptionally()) {
            pool.join().close();
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (Exception e) {
                log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
            }
        }
        if (config.embedded()) {
            // a start interrupted by this shutdown may have launched postgres behind the library's back
            EmbeddedDatabase.stopAnyLeftIn(dataDir);
        }
    }
}
