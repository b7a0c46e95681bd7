package dev.gantry.server.plugins;

import dev.gantry.server.persistence.Database;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens (PostgreSQL LISTEN/NOTIFY) for plugin changes made on other replicas and applies them here at once.
 * After a lost connection it reconciles every plugin, since announcements may have been missed meanwhile.
 */
public final class PluginChangeListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginChangeListener.class);

    private final Database database;
    private final PluginService plugins;
    private volatile boolean running;
    private Thread thread;

    @Inject
    public PluginChangeListener(Database database, PluginService plugins) {
        this.database = database;
        this.plugins = plugins;
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::listen, "plugin-changes");
        thread.setDaemon(true);
        thread.start();
    }

    private void listen() {
        long backoffMillis = 500;
        boolean missedSome = false;
        while (running) {
            try (Connection connection = database.dataSource().getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + PluginService.CHANNEL);
                }
                if (missedSome) {
                    plugins.reconcileAll();
                }
                backoffMillis = 500;
                PGConnection postgres = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(1000);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            plugins.onAnnouncement(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                missedSome = true;
                log.warn("Lost the plugin change feed ({}); reconnecting in {} ms", e.getMessage(), backoffMillis);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoffMillis = Math.min(backoffMillis * 2, 30_000);
            }
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
