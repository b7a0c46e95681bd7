package dev.gantry.server.flags;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.plugin.api.flags.FlagDefinition;
import dev.gantry.plugin.api.flags.SegmentDefinition;
import dev.gantry.server.audit.AuditService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Notifications;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-wide log of flag and segment changes that the stream is made of ({@code flag_events}), written after the
 * store saved each change together with its audit record, and announced on {@link #CHANNEL} so that every replica
 * pushes it at once. Writes take an advisory lock, so ids are handed out and committed in the same order, and each
 * event carries the store's newest version read under that lock: two saves of one flag that race can never leave
 * the older one last in the stream. A crash between the store's save and this write leaves the change out of the
 * stream until the next snapshot (the audit record is lost with it).
 */
public class FlagEvents {
    private static final Logger log = LoggerFactory.getLogger(FlagEvents.class);
    static final String CHANNEL = "gantry_flags";
    private static final long LOCK_KEY = 0x6761_6e74_7279_0f01L; // "gantry" + flags 1: one writer at a time, cluster-wide

    private final Database database;
    private final AuditService audit;
    private final FlagProviders providers;
    private final Clock clock;

    @Inject
    public FlagEvents(Database database, AuditService audit, FlagProviders providers, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.providers = providers;
        this.clock = clock;
    }

    /** One change: {@code document} is the flag (its docs/flags.md document) or the segment ({@code {key, constraints}}). */
    record Event(long id, String kind, String key, boolean removed, String document) {
    }

    /** Records a saved flag change: audited as {@code action} with the states before (null on create) and after. */
    long flagChanged(Caller caller, String action, FlagDefinition before, FlagDefinition saved) {
        return database.inSqlTransaction(connection -> {
            lock(connection);
            FlagDefinition latest = newest(saved);
            long id = insert(connection, "flag", saved.key(), latest.archived(), Json.write(FlagRepresentation.document(latest)));
            audit.record(connection, caller, action, "flag:" + saved.key(),
                    before == null ? null : FlagRepresentation.document(before), FlagRepresentation.document(saved));
            Notifications.notify(connection, CHANNEL, Long.toString(id));
            return id;
        });
    }

    /** Records a saved segment change, or a deleted segment when {@code saved} is null. */
    long segmentChanged(Caller caller, String action, SegmentDefinition before, SegmentDefinition saved, String key) {
        return database.inSqlTransaction(connection -> {
            lock(connection);
            Optional<SegmentDefinition> latest = newestSegment(key, saved);
            ObjectNode document = Json.mapper().createObjectNode().put("key", key);
            latest.ifPresent(segment -> document.set("constraints", SegmentRepresentation.constraints(segment)));
            long id = insert(connection, "segment", key, latest.isEmpty(), Json.write(document));
            audit.record(connection, caller, action, "flag_segment:" + key,
                    before == null ? null : SegmentRepresentation.of(before), saved == null ? null : SegmentRepresentation.of(saved));
            Notifications.notify(connection, CHANNEL, Long.toString(id));
            return id;
        });
    }

    /** The store's newest version of the flag, or the one just saved when the store cannot be read right now. */
    private FlagDefinition newest(FlagDefinition saved) {
        try {
            return providers.active().get(saved.key()).filter(latest -> latest.version() >= saved.version()).orElse(saved);
        } catch (RuntimeException e) {
            log.warn("Cannot re-read flag {} for its stream event; sending version {}: {}", saved.key(), saved.version(), e.getMessage());
            return saved;
        }
    }

    private Optional<SegmentDefinition> newestSegment(String key, SegmentDefinition saved) {
        try {
            return providers.active().segments().stream().filter(segment -> segment.key().equals(key)).findFirst();
        } catch (RuntimeException e) {
            log.warn("Cannot re-read segment {} for its stream event: {}", key, e.getMessage());
            return Optional.ofNullable(saved);
        }
    }

    private static void lock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, LOCK_KEY);
            lock.execute();
        }
    }

    private long insert(Connection connection, String kind, String key, boolean removed, String document) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into flag_events (kind, key, removed, document, occurred_at) values (?, ?, ?, ?::json, ?) returning id")) {
            insert.setString(1, kind);
            insert.setString(2, key);
            insert.setBoolean(3, removed);
            insert.setString(4, document);
            insert.setObject(5, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The id of the newest event (0 before the first). */
    long newestId() {
        return database.inSqlTransaction(connection -> single(connection, "select coalesce(max(id), 0) from flag_events"));
    }

    /** The id of the oldest event still kept (0 when there is none). */
    long oldestId() {
        return database.inSqlTransaction(connection -> single(connection, "select coalesce(min(id), 0) from flag_events"));
    }

    private static long single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Events with ids in ({@code after}, {@code upTo}], oldest first, at most {@code limit}. */
    List<Event> between(long after, long upTo, int limit) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("select id, kind, key, removed, document::text "
                    + "from flag_events where id > ? and id <= ? order by id limit ?")) {
                select.setLong(1, after);
                select.setLong(2, upTo);
                select.setInt(3, limit);
                List<Event> events = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        events.add(new Event(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getBoolean(4), rows.getString(5)));
                    }
                }
                return events;
            }
        });
    }

    /** Deletes events older than {@code cutoff}, always keeping the newest, so ids can be checked against it. */
    int pruneBefore(Instant cutoff) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("delete from flag_events where occurred_at < ? "
                    + "and id < (select max(id) from flag_events)")) {
                delete.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
                return delete.executeUpdate();
            }
        });
    }
}
