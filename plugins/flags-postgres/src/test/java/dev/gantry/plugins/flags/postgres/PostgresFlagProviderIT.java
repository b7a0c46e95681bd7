package dev.gantry.plugins.flags.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginDatabase;
import dev.gantry.plugin.api.flags.FlagDefinition;
import dev.gantry.plugin.api.flags.SegmentDefinition;
import dev.gantry.plugin.api.flags.StaleFlagException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The store against a real PostgreSQL, its schema migrated from the plugin's own scripts as the host does. */
class PostgresFlagProviderIT {
    private static final String SCHEMA = "plugin_flags_postgres";
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final String ENVIRONMENTS = "{\"production\":{\"enabled\":true,\"variants\":[{\"key\":\"on\",\"payload\":true},"
            + "{\"key\":\"off\",\"payload\":false}],\"off_variant\":\"off\",\"rules\":[]}}";

    private static EmbeddedPostgres postgres;
    private static PostgresFlagProvider store;

    @BeforeAll
    static void start() throws Exception {
        Path binaries = Path.of(System.getProperty("java.io.tmpdir"), "gantry-test-postgres");
        Files.createDirectories(binaries);
        postgres = EmbeddedPostgres.builder().setOverrideWorkingDirectory(binaries.toFile()).start();
        try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("create schema " + SCHEMA);
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setCurrentSchema(SCHEMA);
        Flyway.configure().dataSource(dataSource).schemas(SCHEMA).locations("classpath:db/migration/flags-postgres").load().migrate();
        store = new PostgresFlagProvider(new PluginDatabase() {
            @Override
            public String schema() {
                return SCHEMA;
            }

            @Override
            public DataSource dataSource() {
                return dataSource;
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    private static FlagDefinition flag(String key, String description, boolean archived) {
        return new FlagDefinition(key, description, "team-payments", "release", archived, ENVIRONMENTS, 0, T0, T0);
    }

    @Test
    void aCreatedFlagIsVersionOneAndEachSaveBumpsTheVersionByOne() {
        FlagDefinition created = store.save(flag("versions", "first", false), 0);
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.createdAt()).isEqualTo(T0);

        Instant later = T0.plusSeconds(60);
        FlagDefinition changed = store.save(new FlagDefinition("versions", "second", "", "ops", false, ENVIRONMENTS, 99,
                later, later), 1);

        assertThat(changed.version()).isEqualTo(2);
        assertThat(changed.description()).isEqualTo("second");
        assertThat(changed.owner()).isEmpty();
        assertThat(changed.type()).isEqualTo("ops");
        assertThat(changed.createdAt()).as("created_at never changes").isEqualTo(T0);
        assertThat(changed.updatedAt()).isEqualTo(later);
        assertThat(store.get("versions")).contains(changed);
    }

    @Test
    void keepsTheEnvironmentsDocumentExactlyAsWritten() {
        store.save(flag("verbatim", "", false), 0);

        assertThat(store.get("verbatim").orElseThrow().environmentsJson()).isEqualTo(ENVIRONMENTS);
    }

    @Test
    void aWriteFromAnOldVersionOrACreateOfATakenKeyIsStale() {
        store.save(flag("stale", "a", false), 0);
        store.save(flag("stale", "b", false), 1);

        assertThatThrownBy(() -> store.save(flag("stale", "lost update", false), 1))
                .isInstanceOf(StaleFlagException.class).hasMessageContaining("version 1");
        assertThatThrownBy(() -> store.save(flag("stale", "again", false), 0))
                .isInstanceOf(StaleFlagException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> store.save(flag("never-created", "x", false), 3)).isInstanceOf(StaleFlagException.class);
        assertThat(store.get("stale").orElseThrow().description()).isEqualTo("b");
        assertThat(store.get("never-created")).isEmpty();
    }

    @Test
    void ofWritersRacingFromTheSameVersionExactlyOneWins() throws Exception {
        store.save(flag("race", "start", false), 0);
        int writers = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> outcomes = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String description = "writer " + i;
                Callable<Boolean> write = () -> {
                    go.await();
                    try {
                        store.save(flag("race", description, false), 1);
                        return true;
                    } catch (StaleFlagException e) {
                        return false;
                    }
                };
                outcomes.add(pool.submit(write));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> outcome : outcomes) {
                won += outcome.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.get("race").orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void archivedFlagsAreKeptAndListedOnlyWhenAskedFor() {
        store.save(flag("list-live", "", false), 0);
        store.save(flag("list-archived", "", false), 0);
        store.save(flag("list-archived", "", true), 1);

        assertThat(store.list(false)).extracting(FlagDefinition::key).contains("list-live").doesNotContain("list-archived");
        assertThat(store.list(true)).extracting(FlagDefinition::key).contains("list-live", "list-archived");
        assertThat(store.list(true)).extracting(FlagDefinition::key).isSorted();
        assertThat(store.get("list-archived").orElseThrow().archived()).isTrue();
    }

    @Test
    void segmentsAreSavedConditionallyAndDeletedOnlyAtTheVersionRead() {
        String constraints = "[{\"attribute\":\"country\",\"operator\":\"in\",\"values\":[\"DE\",\"FR\"],\"negate\":false}]";
        SegmentDefinition created = store.saveSegment(new SegmentDefinition("eu-users", "EU", constraints, 0, T0, T0), 0);
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.constraintsJson()).isEqualTo(constraints);

        SegmentDefinition changed = store.saveSegment(new SegmentDefinition("eu-users", "EU and EEA", "[]", 1, T0, T0.plusSeconds(1)), 1);
        assertThat(changed.version()).isEqualTo(2);
        assertThatThrownBy(() -> store.saveSegment(new SegmentDefinition("eu-users", "late", "[]", 1, T0, T0), 1))
                .isInstanceOf(StaleFlagException.class);
        assertThatThrownBy(() -> store.saveSegment(new SegmentDefinition("eu-users", "dup", "[]", 0, T0, T0), 0))
                .isInstanceOf(StaleFlagException.class);
        assertThatThrownBy(() -> store.deleteSegment("eu-users", 1)).isInstanceOf(StaleFlagException.class);
        assertThat(store.segments()).extracting(SegmentDefinition::key).contains("eu-users");

        store.deleteSegment("eu-users", 2);

        assertThat(store.segments()).extracting(SegmentDefinition::key).doesNotContain("eu-users");
    }
}
