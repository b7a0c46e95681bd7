package dev.gantry.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router as the deployer runs it: a separate JVM, {@code java -cp ... dev.gantry.router.RouterMain}. */
class RouterProcessTest extends RouterFixture {
    @TempDir
    Path dir;

    private Process launch(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // the router's own logging configuration, not the tests' (which keeps the router quiet)
                "-Dlogback.configurationFile=dev/gantry/router/router-logback.xml",
                "-cp", System.getProperty("java.class.path"),
                RouterMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void runsAsItsOwnProcessAndStopsCleanlyOnSigterm() throws Exception {
        Path stateDir = dir.resolve("state");
        Path log = dir.resolve("router.log");
        Process process = launch(log, "--state-dir", stateDir.toString(), "--listen-port", "0", "--listen-host", "127.0.0.1");
        try (TestBackend backend = new TestBackend("v1")) {
            Path adminFile = stateDir.resolve("admin.json");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(adminFile)) {
                assertThat(process.isAlive()).as("router exited early: %s", Files.exists(log) ? Files.readString(log) : "").isTrue();
                assertThat(System.nanoTime()).as("admin.json within 60 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(Files.getPosixFilePermissions(adminFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            JsonNode admin = MAPPER.readTree(adminFile.toFile());
            assertThat(admin.path("pid").asLong()).isEqualTo(process.pid());
            int adminPort = admin.path("admin_port").asInt();
            int listenPort = admin.path("listen_port").asInt();
            String token = admin.path("admin_token").asText();

            HttpResponse<String> health = send(admin(adminPort, token, "/admin/health").GET());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(json(health).path("listen_port").asInt()).isEqualTo(listenPort);
            assertThat(putState(adminPort, token, state(3, "v1", 100, backend.address())).statusCode()).isEqualTo(200);
            HttpResponse<String> proxied = proxied(listenPort, "/", Map.of());
            assertThat(proxied.body()).isEqualTo("v1");
            assertThat(proxied.headers().firstValue("X-Gantry-Version")).hasValue("v1");

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s after SIGTERM").isTrue();
            assertThat(process.exitValue()).isEqualTo(143);
            assertThat(Files.readString(log)).contains("Router listening on 127.0.0.1:" + listenPort)
                    .contains("Router stopped").doesNotContain("Exception").doesNotContain("WARN");
            assertThat(MAPPER.readTree(stateDir.resolve("state.json").toFile()).path("fence").asLong()).isEqualTo(3);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void exitsWithAMessageWhenItCannotStart() throws Exception {
        Path log = dir.resolve("usage.log");
        Process usage = launch(log, "--listen-port", "1");
        assertThat(usage.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(usage.exitValue()).isEqualTo(RouterMain.EXIT_USAGE);
        assertThat(Files.readString(log)).contains("--state-dir");

        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Path busyLog = dir.resolve("busy.log");
            Process busy = launch(busyLog, "--state-dir", dir.resolve("busy").toString(),
                    "--listen-port", String.valueOf(taken.getLocalPort()), "--listen-host", "127.0.0.1");
            assertThat(busy.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(busy.exitValue()).isEqualTo(RouterMain.EXIT_START_FAILED);
            assertThat(Files.readString(busyLog)).contains("gantry router: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(dir.resolve("busy").resolve("admin.json")).doesNotExist();
        }
    }
}
