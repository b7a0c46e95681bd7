package dev.gantry.server.flags;

import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exposure counts the SDKs report, summed per flag, environment and minute in {@code flag_exposures}: a row per
 * flag × environment × minute whatever the number of SDKs, and rows older than {@code flags.exposure-retention}
 * pruned, so the table stays bounded.
 */
public class FlagExposures {
    private final Database database;

    @Inject
    public FlagExposures(Database database) {
        this.database = database;
    }

    /**
     * What SDKs reported of one flag in one environment since some instant: {@code users} is the most distinct users
     * reported within one minute (summed over the SDK instances that reported in it), {@code variants} the evaluations
     * of each variant over the whole time.
     */
    record Totals(long users, Map<String, Long> variants) {
    }

    void record(String environment, Collection<FlagValidation.FlagExposure> flags, Instant now) {
        OffsetDateTime minute = OffsetDateTime.ofInstant(now.truncatedTo(ChronoUnit.MINUTES), ZoneOffset.UTC);
        database.inSqlTransaction(connection -> {
            // merges the variant counts of the stored row and the report key by key
            try (PreparedStatement upsert = connection.prepareStatement("""
                    insert into flag_exposures (flag_key, environment, minute, users, variants) values (?, ?, ?, ?, ?::jsonb)
                    on conflict (flag_key, environment, minute) do update set
                        users = flag_exposures.users + excluded.users,
                        variants = (select coalesce(jsonb_object_agg(variant, total), '{}'::jsonb)
                                    from (select variant, sum(count) as total
                                          from (select key as variant, value::bigint as count from jsonb_each_text(flag_exposures.variants)
                                                union all
                                                select key, value::bigint from jsonb_each_text(excluded.variants)) as both_rows
                                          group by variant) as sums)""")) {
                for (FlagValidation.FlagExposure flag : flags) {
                    upsert.setString(1, flag.key());
                    upsert.setString(2, environment);
                    upsert.setObject(3, minute);
                    upsert.setLong(4, flag.users());
                    upsert.setString(5, Json.write(flag.variants()));
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            return null;
        });
    }

    Totals since(String key, String environment, Instant since) {
        OffsetDateTime from = OffsetDateTime.ofInstant(since, ZoneOffset.UTC);
        return database.inSqlTransaction(connection -> {
            long users;
            // SDKs report distinct users per report (about a minute); distinct users cannot be added up across
            // reports, so the busiest minute stands for the hour
            try (PreparedStatement select = connection.prepareStatement(
                    "select coalesce(max(users), 0) from (select sum(users) as users from flag_exposures "
                            + "where flag_key = ? and environment = ? and minute >= ? group by minute) as minutes")) {
                select.setString(1, key);
                select.setString(2, environment);
                select.setObject(3, from);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    users = row.getLong(1);
                }
            }
            Map<String, Long> variants = new TreeMap<>();
            try (PreparedStatement select = connection.prepareStatement("select counts.key, sum(counts.value::bigint) "
                    + "from flag_exposures, jsonb_each_text(variants) as counts "
                    + "where flag_key = ? and environment = ? and minute >= ? group by counts.key")) {
                select.setString(1, key);
                select.setString(2, environment);
                select.setObject(3, from);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        variants.put(rows.getString(1), rows.getLong(2));
                    }
                }
            }
            return new Totals(users, variants);
        });
    }

    int pruneBefore(Instant cutoff) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("delete from flag_exposures where minute < ?")) {
                delete.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
                return delete.executeUpdate();
            }
        });
    }
}
