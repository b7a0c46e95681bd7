package dev.gantry.plugins.flags.postgres;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginDatabase;
import dev.gantry.plugin.api.flags.FlagDefinition;
import dev.gantry.plugin.api.flags.FlagProvider;
import dev.gantry.plugin.api.flags.SegmentDefinition;
import dev.gantry.plugin.api.flags.StaleFlagException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.pf4j.Extension;

/**
 * Gantry's default flag store: flags and segments as rows of the plugin's own schema (migrated by the host from
 * {@code db/migration/flags-postgres/}). Every write is one statement that checks the expected version and bumps it,
 * so two writers that read the same version cannot both succeed.
 */
@Extension
public final class PostgresFlagProvider implements FlagProvider {
    private static final String FLAG_COLUMNS =
            "key, description, owner, type, archived, environments::text, version, created_at, updated_at";
    private static final String SEGMENT_COLUMNS = "key, description, constraints::text, version, created_at, updated_at";

    private final DataSource dataSource;

    public PostgresFlagProvider(PluginDatabase database) {
        this.dataSource = requireNonNull(database, "database is null").dataSource();
    }

    @Override
    public List<FlagDefinition> list(boolean includeArchived) {
        String sql = "select " + FLAG_COLUMNS + " from flags" + (includeArchived ? "" : " where not archived") + " order by key";
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(sql);
             ResultSet rows = select.executeQuery()) {
            List<FlagDefinition> flags = new ArrayList<>();
            while (rows.next()) {
                flags.add(flag(rows));
            }
            return flags;
        } catch (SQLException e) {
            throw failed("list the flags", e);
        }
    }

    @Override
    public Optional<FlagDefinition> get(String key) {
        requireNonNull(key, "key is null");
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("select " + FLAG_COLUMNS + " from flags where key = ?")) {
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(flag(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("read flag '" + key + "'", e);
        }
    }

    @Override
    public FlagDefinition save(FlagDefinition flag, long expectedVersion) {
        requireNonNull(flag, "flag is null");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion is negative: " + expectedVersion);
        }
        String sql = expectedVersion == 0
                ? "insert into flags (description, owner, type, archived, environments, updated_at, created_at, key, version) "
                        + "values (?, ?, ?, ?, ?::json, ?, ?, ?, 1) on conflict (key) do nothing returning " + FLAG_COLUMNS
                : "update flags set description = ?, owner = ?, type = ?, archived = ?, environments = ?::json, "
                        + "updated_at = ?, version = version + 1 where key = ? and version = ? returning " + FLAG_COLUMNS;
        try (Connection connection = dataSource.getConnection(); PreparedStatement write = connection.prepareStatement(sql)) {
            write.setString(1, flag.description());
            write.setString(2, flag.owner());
            write.setString(3, flag.type());
            write.setBoolean(4, flag.archived());
            write.setString(5, flag.environmentsJson());
            write.setObject(6, timestamp(flag.updatedAt()));
            if (expectedVersion == 0) {
                write.setObject(7, timestamp(flag.createdAt()));
                write.setString(8, flag.key());
            } else {
                write.setString(7, flag.key());
                write.setLong(8, expectedVersion);
            }
            try (ResultSet rows = write.executeQuery()) {
                if (!rows.next()) {
                    throw new StaleFlagException(expectedVersion == 0
                            ? "flag '" + flag.key() + "' already exists"
                            : "flag '" + flag.key() + "' is no longer at version " + expectedVersion);
                }
                return flag(rows);
            }
        } catch (SQLException e) {
            throw failed("save flag '" + flag.key() + "'", e);
        }
    }

    @Override
    public List<SegmentDefinition> segments() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("select " + SEGMENT_COLUMNS + " from segments order by key");
             ResultSet rows = select.executeQuery()) {
            List<SegmentDefinition> segments = new ArrayList<>();
            while (rows.next()) {
                segments.add(segment(rows));
            }
            return segments;
        } catch (SQLException e) {
            throw failed("list the segments", e);
        }
    }

    @Override
    public SegmentDefinition saveSegment(SegmentDefinition segment, long expectedVersion) {
        requireNonNull(segment, "segment is null");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion is negative: " + expectedVersion);
        }
        String sql = expectedVersion == 0
                ? "insert into segments (description, constraints, updated_at, created_at, key, version) "
                        + "values (?, ?::json, ?, ?, ?, 1) on conflict (key) do nothing returning " + SEGMENT_COLUMNS
                : "update segments set description = ?, constraints = ?::json, updated_at = ?, version = version + 1 "
                        + "where key = ? and version = ? returning " + SEGMENT_COLUMNS;
        try (Connection connection = dataSource.getConnection(); PreparedStatement write = connection.prepareStatement(sql)) {
            write.setString(1, segment.description());
            write.setString(2, segment.constraintsJson());
            write.setObject(3, timestamp(segment.updatedAt()));
            if (expectedVersion == 0) {
                write.setObject(4, timestamp(segment.createdAt()));
                write.setString(5, segment.key());
            } else {
                write.setString(4, segment.key());
                write.setLong(5, expectedVersion);
            }
            try (ResultSet rows = write.executeQuery()) {
                if (!rows.next()) {
                    throw new StaleFlagException(expectedVersion == 0
                            ? "segment '" + segment.key() + "' already exists"
                            : "segment '" + segment.key() + "' is no longer at version " + expectedVersion);
                }
                return segment(rows);
            }
        } catch (SQLException e) {
            throw failed("save segment '" + segment.key() + "'", e);
        }
    }

    @Override
    public void deleteSegment(String key, long expectedVersion) {
        requireNonNull(key, "key is null");
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("delete from segments where key = ? and version = ?")) {
            delete.setString(1, key);
            delete.setLong(2, expectedVersion);
            if (delete.executeUpdate() == 0) {
                throw new StaleFlagException("segment '" + key + "' is no longer at version " + expectedVersion);
            }
        } catch (SQLException e) {
            throw failed("delete segment '" + key + "'", e);
        }
    }

    private static FlagDefinition flag(ResultSet row) throws SQLException {
        return new FlagDefinition(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getBoolean(5),
                row.getString(6), row.getLong(7), instant(row, 8), instant(row, 9));
    }

    private static SegmentDefinition segment(ResultSet row) throws SQLException {
        return new SegmentDefinition(row.getString(1), row.getString(2), row.getString(3), row.getLong(4),
                instant(row, 5), instant(row, 6));
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        return row.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static ExtensionFailedException failed(String what, SQLException e) {
        return new ExtensionFailedException("the flag store cannot " + what + ": " + e.getMessage(), e);
    }
}
