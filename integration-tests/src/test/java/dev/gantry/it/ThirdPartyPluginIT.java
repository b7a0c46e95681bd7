package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party's plugin, built the way its author would: examples/plugin-template copied out of this repository,
 * compiled by Maven against the published plugin API alone, then uploaded into a running server and called.
 */
class ThirdPartyPluginIT {
    private static final Duration BUILD_WITHIN = Duration.ofMinutes(8);

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aPluginBuiltFromTheTemplateIsInstalledListedAndCalled(@TempDir Path workDir) throws Exception {
        Path repository = Path.of(System.getProperty("gantry.repository.root")).toAbsolutePath().normalize();
        Path project = workDir.resolve("acme-plugin");
        copy(repository.resolve("examples/plugin-template"), project);

        Path log = workDir.resolve("maven.log");
        Process maven = new ProcessBuilder(repository.resolve("mvnw").toString(), "-B", "-ntp", "-f",
                project.resolve("pom.xml").toString(), "package", "-Dgantry.version=" + System.getProperty("gantry.version"))
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!maven.waitFor(BUILD_WITHIN.toMillis(), TimeUnit.MILLISECONDS)) {
            maven.destroyForcibly();
            throw new AssertionError("the template's build did not finish within " + BUILD_WITHIN);
        }
        assertThat(maven.exitValue()).as("mvn package of the template:\n%s", Files.readString(log)).isZero();
        Path zip;
        try (Stream<Path> built = Files.list(project.resolve("target"))) {
            zip = built.filter(file -> file.getFileName().toString().matches("file-notifier-.*\\.zip")).findFirst()
                    .orElseThrow(() -> new AssertionError("no plugin zip in target/:\n" + readQuietly(log)));
        }

        Files.createDirectories(workDir.resolve("server"));
        try (GantryProcess gantry = GantryProcess.start(workDir.resolve("server"), Map.of())) {
            gantry.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(gantry.url());

            Api.Reply installed = api.postBytes("/api/plugins", GantryProcess.ADMIN_TOKEN, "application/zip", Files.readAllBytes(zip));
            assertThat(installed.status()).as(installed.body()).isEqualTo(201);

            JsonNode listed = null;
            for (JsonNode plugin : api.get("/api/plugins", GantryProcess.ADMIN_TOKEN).json().get("plugins")) {
                if (plugin.get("id").asText().equals("file-notifier")) {
                    listed = plugin;
                }
            }
            assertThat(listed).as("file-notifier is listed").isNotNull();
            assertThat(listed.get("state").asText()).isEqualTo("started");
            assertThat(listed.get("extensions").get(0).get("class_name").asText()).endsWith(".FileNotifier");
            assertThat(listed.get("extensions").get(0).get("extension_points").get(0).asText()).isEqualTo("Notifier");

            Api.Reply sent = api.post("/api/notifications/test", GantryProcess.ADMIN_TOKEN, "{\"message\":\"from the IT\"}");
            assertThat(sent.status()).as(sent.body()).isEqualTo(200);
            JsonNode delivery = null;
            for (JsonNode each : sent.json().get("deliveries")) {
                if (each.get("plugin").asText().equals("file-notifier")) {
                    delivery = each;
                }
            }
            assertThat(delivery).as(sent.body()).isNotNull();
            assertThat(delivery.get("delivered").asBoolean()).as(sent.body()).isTrue();

            Path written = gantry.dataDir().resolve("plugin-workspace/file-notifier/notifications.jsonl");
            assertThat(Files.readString(written, StandardCharsets.UTF_8)).contains("Test notification from Gantry").contains("from the IT");
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path relative = from.relativize(file);
                if (relative.toString().startsWith("target")) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
