package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.server.testing.Api;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator CLI as people and scripts run it: the distribution's {@code bin/gantry} as a process of its own against a
 * real server, its output and exit codes checked, and what it changed checked through the API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CliIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
    private static final String UNKNOWN_ID = "01900000-0000-7000-8000-000000000000";
    private static final String PIPELINE = """
            version: 1
            stages:
              - name: build
                steps:
                  - name: compile
                    run: mkdir -p dist/bin && cp app.sh dist/bin/start && chmod +x dist/bin/start && echo compiled
              - name: test
                steps:
                  - name: unit
                    run: %s
            artifact:
              path: dist
            """;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path workDir;
    private GantryProcess server;
    private Api api;
    private Path home;
    private final AtomicInteger runs = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        server = GantryProcess.start(workDir, Map.of());
        server.awaitReady(Duration.ofSeconds(120));
        api = new Api(server.url());
        home = Files.createDirectories(workDir.resolve("home"));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        DeployClient.killTargets(workDir);
    }

    /** What one run of bin/gantry did. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + this, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    /** bin/gantry with the server and the admin token from the environment. */
    private Run gantry(String... args) throws Exception {
        return gantryWith(Map.of("GANTRY_URL", server.url().toString(), "GANTRY_TOKEN", ADMIN), args);
    }

    /** bin/gantry with exactly {@code environment} as its GANTRY_* variables, HOME an empty directory of the test's. */
    private Run gantryWith(Map<String, String> environment, String... args) throws Exception {
        int run = runs.incrementAndGet();
        Path out = workDir.resolve("cli-" + run + ".out");
        Path err = workDir.resolve("cli-" + run + ".err");
        List<String> command = new ArrayList<>();
        command.add(GantryProcess.distribution().resolve("bin/gantry").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("GANTRY_") || name.startsWith("XDG_"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("HOME", home.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("gantry " + String.join(" ", args) + " still runs after " + COMMAND_TIMEOUT
                    + "\n" + Files.readString(err));
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void pluginsAreListedWithTheConnectionFromTheConfigFileAndBadCredentialsGetExitCodes() throws Exception {
        Run unconfigured = gantryWith(Map.of(), "plugins", "list");
        assertThat(unconfigured.exitCode()).as(unconfigured.toString()).isEqualTo(2);
        assertThat(unconfigured.err()).contains("no Gantry server configured").contains(home.resolve(".config/gantry/cli.properties").toString());

        Path config = workDir.resolve("cli.properties");
        Files.writeString(config, "server=" + server.url() + "\ntoken=" + ADMIN + "\n");
        Run list = gantryWith(Map.of("GANTRY_CONFIG", config.toString()), "plugins", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out().lines().findFirst().orElseThrow()).matches("ID +VERSION +STATE +SOURCE +PROBLEM");
        assertThat(list.out()).containsPattern("(?m)^flags-postgres +\\S+ +started ")
                .containsPattern("(?m)^builder-sandbox +\\S+ +started ");
        assertThat(list.err()).isEmpty();

        Run json = gantry("plugins", "list", "--json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        assertThat(json.json().get("plugins").findValuesAsText("id")).contains("flags-postgres", "builder-sandbox");

        String wrongToken = "gty_not-a-real-token-000000";
        Run denied = gantryWith(Map.of("GANTRY_URL", server.url().toString(), "GANTRY_TOKEN", wrongToken), "plugins", "list");
        assertThat(denied.exitCode()).as(denied.toString()).isEqualTo(3);
        assertThat(denied.err()).startsWith("gantry: ").contains("(unauthenticated, HTTP 401)").doesNotContain(wrongToken);
        assertThat(denied.err().lines()).hasSize(1);
        assertThat(denied.out()).isEmpty();
    }

    @Test
    void aFlagIsCreatedRolledOutAndKilled() throws Exception {
        Run created = gantry("flags", "create", "cli-checkout", "--rollout", "10", "--target-users", "u-1,u-2", "--env", "production");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.out()).contains("flag:").contains("cli-checkout").contains("env production: on 10%, 2 rules");

        Run rollout = gantry("flags", "rollout", "cli-checkout", "--env", "production", "--percent", "35");
        assertThat(rollout.exitCode()).as(rollout.toString()).isZero();
        JsonNode flag = api.get("/api/feature-flags/cli-checkout", ADMIN).json();
        assertThat(flag.get("version").asInt()).isEqualTo(2);
        JsonNode rules = flag.at("/environments/production/rules");
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).at("/constraints/0/values").toString()).isEqualTo("[\"u-1\",\"u-2\"]");
        assertThat(rules.get(1).get("rollout").asDouble()).isEqualTo(35.0);
        JsonNode status = api.get("/api/feature-flags/cli-checkout/status?environment=production", ADMIN).json();
        assertThat(status.get("rollout_percentage").asDouble()).isEqualTo(35.0);

        Run kill = gantry("flags", "kill", "cli-checkout", "--env", "production");
        assertThat(kill.exitCode()).as(kill.toString()).isZero();
        assertThat(api.get("/api/feature-flags/cli-checkout", ADMIN).json().at("/environments/production/enabled").asBoolean()).isFalse();

        Run list = gantry("flags", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).containsPattern("(?m)^cli-checkout +release +3 +- +production: off$");

        Run missing = gantry("flags", "rollout", "no-such-flag", "--env", "production", "--percent", "5");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(4);
        assertThat(missing.err()).contains("(not_found, HTTP 404)");
    }

    @Test
    void aDeployIsWaitedForThenRolledBackAndTheRollbackWaitedFor() throws Exception {
        DeployClient deploys = new DeployClient(api);
        int routerPort = GantryProcess.freePort();
        deploys.environment("cli-prod", routerPort, """
                , "health_timeout": "20s", "bake": "1s\"""");
        deploys.service("""
                {"service": "cli-hello", "instances": 1, "health_path": "/healthz",
                 "strategy": {"type": "canary", "steps": [{"weight": 50, "hold": "3s"}, {"weight": 100}]}}""");
        String v1 = deploys.upload(workDir, "v1", Map.of());
        String v2 = deploys.upload(workDir, "v2", Map.of());

        Run first = gantry("deploy", "start", "--service", "cli-hello", "--artifact", v1, "--env", "cli-prod", "--wait");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).containsPattern("(?m)^status: +succeeded$");
        assertThat(first.err()).containsPattern("(?m)^step \\d+/\\d+: .+ \\((pending|in_progress)\\)$");

        Run second = gantry("deploy", "start", "--service", "cli-hello", "--artifact", v2, "--env", "cli-prod", "--wait", "--json");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.json().get("status").asText()).isEqualTo("succeeded");
        String deployId = second.json().get("deploy_id").asText();
        // one line per change, never a repeated one
        List<String> progress = second.err().lines().toList();
        for (int i = 1; i < progress.size(); i++) {
            assertThat(progress.get(i)).as(second.err()).isNotEqualTo(progress.get(i - 1));
        }
        assertThat(progress).anyMatch(line -> line.contains("50%")).last().asString().endsWith("(succeeded)");

        Run list = gantry("deploy", "list", "--service", "cli-hello");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).startsWith("ID ").containsPattern("(?m)^" + deployId + " +cli-hello +cli-prod +succeeded ");

        Run rollback = gantry("rollback", deployId, "--reason", "cli test", "--json");
        assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
        String rollbackId = rollback.json().get("deploy_id").asText();
        assertThat(rollbackId).isNotEqualTo(deployId);
        assertThat(rollback.json().get("rolled_back_to").asText()).isEqualTo(v1);

        Run wait = gantry("deploy", "wait", rollbackId);
        assertThat(wait.exitCode()).as(wait.toString()).isZero();
        assertThat(wait.out()).containsPattern("(?m)^status: +succeeded$").containsPattern("(?m)^kind: +rollback of " + deployId + "$");
        JsonNode back = deploys.get(rollbackId);
        assertThat(back.get("kind").asText()).isEqualTo("rollback");
        assertThat(back.at("/release/artifact_sha").asText()).isEqualTo(v1);

        Run unknown = gantry("deploy", "show", UNKNOWN_ID);
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(4);
        assertThat(unknown.err()).isEqualTo("gantry: deploy '" + UNKNOWN_ID + "' does not exist (not_found, HTTP 404)\n");
    }

    @Test
    void buildsAreWaitedForAndTheirLogsReadAndAFailedBuildExitsWith1() throws Exception {
        GitRepo repo = new BuildClient(api).register(workDir, "cli-shop", "");
        String good = repo.commit("main", "passes", Map.of("pipeline.yaml", PIPELINE.formatted("test -x dist/bin/start && echo tests passed"),
                "app.sh", "#!/bin/sh\nexec echo serving on $PORT\n"));

        Run passed = gantry("build", "start", "--repo", "cli-shop", "--commit", good, "--branch", "main", "--wait", "--json");
        assertThat(passed.exitCode()).as(passed.toString()).isZero();
        assertThat(passed.json().get("status").asText()).isEqualTo("passed");
        // steps faster than a poll are not seen; the last one always is
        assertThat(passed.err()).containsPattern("(?m)^step test/unit: passed \\(passed\\)$");
        String buildId = passed.json().get("build_id").asText();

        Run logs = gantry("build", "logs", buildId);
        assertThat(logs.exitCode()).as(logs.toString()).isZero();
        assertThat(logs.out()).contains("compiled\n").contains("tests passed\n");

        Run show = gantry("build", "show", buildId);
        assertThat(show.exitCode()).as(show.toString()).isZero();
        assertThat(show.out()).containsPattern("(?m)^status: +passed$").containsPattern("(?m)^artifact: +sha256:[0-9a-f]{64}$");

        String bad = repo.commit("main", "fails", Map.of("pipeline.yaml", PIPELINE.formatted("echo tests failing && exit 3")));
        // without --branch: the repository's default branch
        Run failed = gantry("build", "start", "--repo", "cli-shop", "--commit", bad, "--wait", "--json");
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        String failedId = failed.json().get("build_id").asText();
        assertThat(failed.json().get("branch").asText()).isEqualTo("main");
        assertThat(failed.err()).contains("gantry: build " + failedId + " failed");

        Run followed = gantry("build", "logs", failedId, "--follow");
        assertThat(followed.exitCode()).as(followed.toString()).isEqualTo(1);
        assertThat(followed.out()).contains("tests failing\n");
        assertThat(followed.err()).contains("status: failed");

        Run unknown = gantry("build", "show", UNKNOWN_ID);
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(4);
    }

    @Test
    void usageErrorsExitWith2() throws Exception {
        Run missing = gantry("deploy", "start", "--service", "x");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required options");
        Run help = gantry("flags", "rollout", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: gantry flags rollout").contains("--percent=N");
    }
}
