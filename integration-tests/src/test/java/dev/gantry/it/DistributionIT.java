package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled distribution, run the way an operator runs it: {@code bin/gantry server} as its own process with the
 * embedded PostgreSQL, configured only through {@code GANTRY_*} environment variables, talked to over HTTP.
 */
class DistributionIT {
    /** Embedded PostgreSQL unpacks its binaries into a fresh data directory on first start: allow a slow machine. */
    private static final Duration READY_WITHIN = Duration.ofSeconds(120);
    private static final Duration STOPS_WITHIN = Duration.ofSeconds(30);

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    class AStartedServer {
        private GantryProcess gantry;
        private Api api;

        @BeforeAll
        void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws InterruptedException {
            gantry = GantryProcess.start(workDir, Map.of());
            try {
                gantry.awaitReady(READY_WITHIN);
            } catch (AssertionError | RuntimeException e) {
                gantry.close();
                throw e;
            }
            api = new Api(gantry.url());
        }

        @AfterAll
        void stop() {
            if (gantry != null) {
                gantry.close();
            }
        }

        @Test
        void printsTheUrlItIsReadyAtOnStdout() {
            assertThat(gantry.stdout()).containsPattern("Gantry is ready at http://\\S+:" + gantry.url().getPort()
                    + "/ \\(started in \\d+ ms\\)");
        }

        @Test
        void reportsReadyOnReadyz() {
            Api.Reply reply = api.get("/readyz", null);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().path("status").asText()).isEqualTo("ready");
        }

        @Test
        void listsPluginsAsAJsonArrayToAnAuthenticatedCaller() {
            Api.Reply reply = api.get("/api/plugins", GantryProcess.ADMIN_TOKEN);

            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode plugins = reply.json().path("plugins");
            assertThat(plugins.isArray()).as("plugins is a JSON array in %s", reply.body()).isTrue();
            plugins.forEach(plugin -> assertThat(plugin.has("id") && plugin.has("state") && plugin.has("enabled"))
                    .as("plugin entry %s has id, state and enabled", plugin).isTrue());
        }

        @Test
        void refusesAnAnonymousCallerWithA401JsonError() {
            Api.Reply reply = api.get("/api/plugins", null);

            assertThat(reply.status()).as(reply.body()).isEqualTo(401);
            assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(reply.error()).isEqualTo("unauthenticated");
            assertThat(reply.json().path("message").asText()).isNotBlank();
        }

        @Test
        void exposesJvmMetricsInPrometheusTextFormat() {
            Api.Reply reply = api.get("/metrics", null);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(reply.body()).contains("# TYPE jvm_memory_used_bytes gauge")
                    .containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\"} \\S+$");
        }

        @Test
        void answersAnUnknownPathWithA404JsonError() {
            Api.Reply reply = api.get("/no/such/path", GantryProcess.ADMIN_TOKEN);

            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode error = reply.json();
            assertThat(error.path("error").asText()).isEqualTo("not_found");
            assertThat(error.path("message").asText()).isNotBlank();
            assertThat(error.has("details")).as("has details: %s", reply.body()).isTrue();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void stopsWithinThirtySecondsOnSigtermAndStopsItsEmbeddedPostgres(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws InterruptedException {
        try (GantryProcess gantry = GantryProcess.start(workDir, Map.of())) {
            gantry.awaitReady(READY_WITHIN);
            List<ProcessHandle> postgresWhileRunning = gantry.postgresProcesses();
            assertThat(postgresWhileRunning).as("the embedded PostgreSQL runs on %s", gantry.dataDir()).isNotEmpty();

            boolean exited = gantry.terminate(STOPS_WITHIN);

            assertThat(exited).as("exited within %s of SIGTERM\n%s", STOPS_WITHIN, gantry.output()).isTrue();
            // the postmaster removes its pid file last, once every backend has gone: allow it a moment
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!gantry.postgresProcesses().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            List<ProcessHandle> left = gantry.postgresProcesses();
            assertThat(left).as("PostgreSQL processes left on %s:%s", gantry.dataDir(), GantryProcess.describe(left)).isEmpty();
            assertThat(gantry.dataDir().resolve("postgres/postmaster.pid"))
                    .as("PostgreSQL shut down cleanly (it removes postmaster.pid)").doesNotExist();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void stopsItsEmbeddedPostgresWhenSigtermArrivesDuringStartUp(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws InterruptedException {
        try (GantryProcess gantry = GantryProcess.start(workDir, Map.of())) {
            Path postmasterPid = gantry.dataDir().resolve("postgres/postmaster.pid");
            long deadline = System.nanoTime() + READY_WITHIN.toNanos();
            // initdb's standalone backends create and remove this lock file too, so it is seen, not re-checked
            boolean seen = false;
            while (!seen && gantry.process().isAlive() && System.nanoTime() < deadline) {
                seen = Files.exists(postmasterPid);
                Thread.sleep(seen ? 0 : 20);
            }
            assertThat(seen).as("the embedded PostgreSQL began to start\n%s", gantry.output()).isTrue();

            boolean exited = gantry.terminate(STOPS_WITHIN);

            assertThat(exited).as("exited within %s of SIGTERM\n%s", STOPS_WITHIN, gantry.output()).isTrue();
            long settled = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!gantry.postgresProcesses().isEmpty() && System.nanoTime() < settled) {
                Thread.sleep(100);
            }
            List<ProcessHandle> left = gantry.postgresProcesses();
            assertThat(left).as("PostgreSQL processes left on %s:%s\n%s", gantry.dataDir(), GantryProcess.describe(left),
                    gantry.output()).isEmpty();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void exitsWithCode2NamingTheKeyWhenASettingIsMalformed(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws InterruptedException {
        try (GantryProcess gantry = GantryProcess.start(workDir, Map.of("GANTRY_HTTP_PORT", "eighty"))) {
            int exitCode = gantry.awaitExit(Duration.ofSeconds(60));

            assertThat(exitCode).as(gantry.output()).isEqualTo(2);
            assertThat(gantry.stderr()).contains("http.port").contains("eighty");
            assertThat(gantry.stdout()).doesNotContain("Gantry is ready");
            assertThat(gantry.dataDir().resolve("postgres")).as("no database was started").doesNotExist();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void exitsWithCode2NamingAnUnknownGantryVariable(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws InterruptedException {
        try (GantryProcess gantry = GantryProcess.start(workDir, Map.of("GANTRY_HTTP_PROT", "1"))) {
            int exitCode = gantry.awaitExit(Duration.ofSeconds(60));

            assertThat(exitCode).as(gantry.output()).isEqualTo(2);
            assertThat(gantry.stderr()).contains("GANTRY_HTTP_PROT");
            assertThat(gantry.stdout()).doesNotContain("Gantry is ready");
            assertThat(gantry.dataDir().resolve("postgres")).as("no database was started").doesNotExist();
        }
    }

    @Test
    void theDistributionShipsAnExecutableLauncherAndItsConfiguration() {
        Path home = GantryProcess.distribution();

        assertThat(home.resolve("bin/gantry")).isExecutable();
        assertThat(home.resolve("conf/gantry.properties")).isRegularFile();
        assertThat(home.resolve("lib")).isDirectoryContaining(path -> path.getFileName().toString().startsWith("dev.gantry.gantry-server-"));
    }
}
