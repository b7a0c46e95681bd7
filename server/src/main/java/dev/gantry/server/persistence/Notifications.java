package dev.gantry.server.persistence;

import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL LISTEN/NOTIFY for the whole server: one connection listens on every channel a feature subscribed to and
 * hands each payload to its subscribers, so work made on any replica wakes the others at once without polling.
 * After the connection was lost, subscribers hear {@code null} once: announcements may have been missed meanwhile.
 */
public final class Notifications implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    private static final int MAX_ANNOUNCED = 10_000;
    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Database database;
    private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();
    /** Announced here already ({@link #announceHere}): their notification from PostgreSQL is not delivered again. */
    private final Set<String> announcedHere = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private Thread thread;

    @Inject
    public Notifications(Database database) {
        this.database = database;
    }

    /** Calls {@code subscriber} with each payload sent on {@code channel} (from this replica or another). */
    public void subscribe(String channel, Consumer<String> subscriber) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        // the listening thread issues the LISTEN (a connection is not for two threads), within a second
        subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(subscriber);
    }

    public void unsubscribe(String channel, Consumer<String> subscriber) {
        List<Consumer<String>> list = subscribers.get(channel);
        if (list != null) {
            list.remove(subscriber);
        }
    }

    /** Sends {@code payload} on {@code channel} through {@code connection}, so it is delivered when that commits. */
    public static void notify(Connection connection, String channel, String payload) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select pg_notify(?, ?)")) {
            statement.setString(1, channel);
            statement.setString(2, payload);
            statement.execute();
        }
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::listen, "postgres-notifications");
        thread.setDaemon(true);
        thread.start();
    }

    private void listen() {
        long backoffMillis = 500;
        boolean missedSome = false;
        while (running) {
            try (Connection connection = database.dataSource().getConnection()) {
                Set<String> listened = new HashSet<>();
                listenToNew(connection, listened);
                if (missedSome) {
                    subscribers.values().forEach(list -> list.forEach(subscriber -> deliver(subscriber, null)));
                }
                backoffMillis = 500;
                PGConnection postgres = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(1000);
                    listenToNew(connection, listened);
                    if (notifications == null) {
                        continue;
                    }
                    for (PGNotification notification : notifications) {
                        if (announcedHere.remove(notification.getName() + "\0" + notification.getParameter())) {
                            continue;
                        }
                        for (Consumer<String> subscriber : subscribers.getOrDefault(notification.getName(), List.of())) {
                            deliver(subscriber, notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                missedSome = true;
                log.warn("Lost the database notification feed ({}); reconnecting in {} ms", e.getMessage(), backoffMillis);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoffMillis = Math.min(backoffMillis * 2, 30_000);
            }
        }
    }

    private void listenToNew(Connection connection, Set<String> listened) throws SQLException {
        for (String channel : subscribers.keySet()) {
            if (listened.add(channel)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + channel);
                }
            }
        }
    }

    /**
     * Hands {@code payload} to this replica's subscribers of {@code channel} at once: for work committed here that
     * also notified through PostgreSQL, whose notification reaches this replica a round trip later and is then not
     * delivered again.
     */
    public void announceHere(String channel, String payload) {
        if (announcedHere.size() >= MAX_ANNOUNCED) {
            announcedHere.clear(); // their notifications were lost (the feed reconnected): at worst a second delivery
        }
        announcedHere.add(channel + "\0" + payload);
        subscribers.getOrDefault(channel, List.of()).forEach(subscriber -> deliver(subscriber, payload));
    }

    private static void deliver(Consumer<String> subscriber, String payload) {
        try {
            subscriber.accept(payload);
        } catch (RuntimeException e) {
            log.warn("A notification subscriber failed: {}", e.toString());
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
