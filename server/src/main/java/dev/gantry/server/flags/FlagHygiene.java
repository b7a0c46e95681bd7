package dev.gantry.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.plugin.api.flags.FlagDefinition;
import dev.gantry.plugin.api.flags.FlagProvider;
import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.server.notify.NotificationService;
import dev.gantry.server.persistence.Database;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hygiene job: once at start-up and every {@code flags.hygiene-interval}, on whichever replica holds its lock, it
 * marks flags stale that are settled in every environment (each serves one variant to everyone: fully rolled out, or
 * off) and unchanged for {@code flags.stale-after}, sends {@code flag.stale} once per flag version through the
 * notifiers, and prunes old stream events and exposure counts.
 */
public class FlagHygiene implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FlagHygiene.class);
    private static final long LOCK_KEY = 0x6761_6e74_7279_0f02L; // "gantry" + flags 2: one run at a time, cluster-wide

    private final Database database;
    private final FlagProviders providers;
    private final FlagEvents events;
    private final FlagExposures exposures;
    private final NotificationService notifications;
    private final FlagsConfig config;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    @Inject
    public FlagHygiene(Database database, FlagProviders providers, FlagEvents events, FlagExposures exposures,
                       NotificationService notifications, FlagsConfig config, Clock clock) {
        this.database = database;
        this.providers = providers;
        this.events = events;
        this.exposures = exposures;
        this.notifications = notifications;
        this.config = config;
        this.clock = clock;
    }

    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "flag-hygiene");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                run();
            } catch (RuntimeException e) {
                log.warn("Flag hygiene run failed: {}", e.getMessage());
            }
        }, 0, config.hygieneInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A stale flag at the version the job looked at, and what each of its environments serves. */
    private record Stale(String key, long version, String summary, FlagDefinition flag) {
    }

    /** One run; returns the keys newly found stale (and notified), or nothing when another replica is running. */
    List<String> run() {
        Instant now = clock.instant();
        Optional<FlagProvider> provider = providers.find();
        List<String> notified = new ArrayList<>();
        if (provider.isPresent()) {
            Map<String, Stale> stale = new LinkedHashMap<>();
            for (FlagDefinition flag : provider.get().list(false)) {
                if (!flag.updatedAt().plus(config.staleAfter()).isAfter(now)) {
                    settled(FlagRepresentation.environments(flag))
                            .ifPresent(summary -> stale.put(flag.key(), new Stale(flag.key(), flag.version(), summary, flag)));
                }
            }
            List<Stale> toNotify = mark(stale, now);
            for (Stale flag : toNotify) {
                notify(flag);
                notified.add(flag.key());
            }
        }
        events.pruneBefore(now.minus(config.eventRetention()));
        exposures.pruneBefore(now.minus(config.exposureRetention()));
        return notified;
    }

    /**
     * Brings {@code flag_hygiene} in line with {@code stale} and claims the flags whose notification has not gone out
     * (claimed in the same transaction, so two replicas never both send it).
     */
    private List<Stale> mark(Map<String, Stale> stale, Instant now) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement lock = connection.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
                lock.setLong(1, LOCK_KEY);
                try (ResultSet row = lock.executeQuery()) {
                    if (!row.next() || !row.getBoolean(1)) {
                        return List.of();
                    }
                }
            }
            Map<String, Long> marked = staleVersions(connection);
            try (PreparedStatement delete = connection.prepareStatement("delete from flag_hygiene where flag_key = ?")) {
                for (Map.Entry<String, Long> row : marked.entrySet()) {
                    Stale current = stale.get(row.getKey());
                    if (current == null || current.version() != row.getValue()) {
                        delete.setString(1, row.getKey());
                        delete.addBatch();
                    }
                }
                delete.executeBatch();
            }
            try (PreparedStatement insert = connection.prepareStatement("insert into flag_hygiene (flag_key, version, "
                    + "marked_at, summary) values (?, ?, ?, ?) on conflict (flag_key) do nothing")) {
                for (Stale flag : stale.values()) {
                    insert.setString(1, flag.key());
                    insert.setLong(2, flag.version());
                    insert.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    insert.setString(4, flag.summary());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            List<Stale> claimed = new ArrayList<>();
            try (PreparedStatement claim = connection.prepareStatement(
                    "update flag_hygiene set notified_at = ? where notified_at is null returning flag_key")) {
                claim.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                try (ResultSet rows = claim.executeQuery()) {
                    while (rows.next()) {
                        Stale flag = stale.get(rows.getString(1));
                        if (flag != null) {
                            claimed.add(flag);
                        }
                    }
                }
            }
            return claimed;
        });
    }

    private void notify(Stale stale) {
        FlagDefinition flag = stale.flag();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("flag", flag.key());
        fields.put("type", flag.type());
        fields.put("version", Long.toString(flag.version()));
        fields.put("unchanged_since", flag.updatedAt().toString());
        if (!flag.owner().isEmpty()) {
            fields.put("owner", flag.owner());
        }
        String text = "Flag " + flag.key() + " has served one variant to everyone, unchanged since " + flag.updatedAt()
                + " (" + stale.summary() + "). Remove it from the code, then archive it.";
        notifications.send(new Notification("flag.stale", "Flag " + flag.key() + " is stale", text,
                "/api/feature-flags/" + flag.key(), fields, clock.instant()));
        log.info("Flag {} is stale: {}", flag.key(), stale.summary());
    }

    /** The flags marked stale, with the version each was found stale at. */
    Map<String, Long> staleVersions() {
        return database.inSqlTransaction(FlagHygiene::staleVersions);
    }

    private static Map<String, Long> staleVersions(Connection connection) throws SQLException {
        Map<String, Long> versions = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement("select flag_key, version from flag_hygiene");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                versions.put(rows.getString(1), rows.getLong(2));
            }
        }
        return versions;
    }

    /**
     * Whether every environment serves one variant to everyone, with a summary such as
     * {@code production: everyone gets 'on'; staging: off (disabled)}; empty while any environment still differs.
     */
    static Optional<String> settled(ObjectNode environments) {
        List<String> summary = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = environments.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> environment = it.next();
            Optional<String> served = servesEveryone(environment.getValue());
            if (served.isEmpty()) {
                return Optional.empty();
            }
            summary.add(environment.getKey() + ": " + served.get());
        }
        return Optional.of(summary.isEmpty() ? "in no environment" : String.join("; ", summary));
    }

    /** What one environment serves to everyone, if that is a single variant. */
    static Optional<String> servesEveryone(JsonNode environment) {
        String off = environment.path("off_variant").asText("off");
        if (!environment.path("enabled").asBoolean(false)) {
            return Optional.of("off (disabled)");
        }
        Set<String> served = new LinkedHashSet<>();
        boolean catchAll = false;
        for (JsonNode rule : environment.path("rules")) {
            JsonNode serve = rule.path("serve");
            if (!serve.has("variant")) {
                return Optional.empty(); // a split serves several variants
            }
            served.add(serve.path("variant").asText());
            boolean unrestricted = rule.path("constraints").isEmpty() && rule.path("segments").isEmpty()
                    && rule.path("rollout").asDouble(100) >= 100;
            if (unrestricted) {
                catchAll = true;
                break;
            }
        }
        if (!catchAll) {
            served.add(off);
        }
        if (served.size() != 1) {
            return Optional.empty();
        }
        String variant = served.iterator().next();
        return Optional.of(variant.equals(off) ? "everyone gets the off variant '" + off + "'" : "everyone gets '" + variant + "'");
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
