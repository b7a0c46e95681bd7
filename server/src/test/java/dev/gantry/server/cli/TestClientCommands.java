package dev.gantry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.bootstrap.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The client commands against a stand-in API: what they send, print and exit with. */
class TestClientCommands {
    private static final String TOKEN = "gty_unit-test-token-42";
    private final FakeApi api;

    TestClientCommands() throws IOException {
        api = new FakeApi();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    record Run(int exitCode, String out, String err) {
    }

    private Run gantry(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", api.url(), "--token", TOKEN));
        return run(all.toArray(String[]::new));
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new Main());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String flag(int version, Object rollout) {
        return """
                {"flag_id": "f", "key": "f", "description": "", "owner": "", "type": "release", "archived": false, "stale": false,
                 "version": %d, "environments": {"production": {"enabled": true,
                   "variants": [{"key": "on", "payload": true}, {"key": "off", "payload": false}], "off_variant": "off",
                   "rules": [{"description": "gradual rollout", "constraints": [], "segments": [], "rollout": %s, "serve": {"variant": "on"}}]}}}
                """.formatted(version, rollout);
    }

    @Test
    void listsAreTablesAndJsonIsTheAnswerAsItCame() {
        String answer = """
                {"plugins": [{"id": "flags-postgres", "version": "0.1.0", "state": "started", "source": "bundled", "problem": null},
                             {"id": "my-plugin", "version": "1.2.0", "state": "incompatible", "source": "upload", "problem": "needs API >=0.2.0"}]}""";
        api.on("GET /api/plugins", 200, answer);

        Run table = gantry("plugins", "list");
        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).isEqualTo("""
                ID              VERSION  STATE         SOURCE   PROBLEM
                flags-postgres  0.1.0    started       bundled  -
                my-plugin       1.2.0    incompatible  upload   needs API >=0.2.0
                """);
        assertThat(api.requests.get(0).header("Authorization")).isEqualTo("Bearer " + TOKEN);

        Run json = gantry("plugins", "list", "--json");
        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).startsWith("{\n  \"plugins\" : [ {\n    \"id\" : \"flags-postgres\"");
    }

    @Test
    void rolloutWritesTheLastRuleWithTheVersionItReadAndRetriesOnceOn412() {
        AtomicInteger version = new AtomicInteger(3);
        AtomicInteger puts = new AtomicInteger();
        api.on("GET /api/feature-flags/f", (exchange, request) ->
                FakeApi.send(exchange, 200, flag(version.get(), 10), Map.of("ETag", "\"" + version.get() + "\"")));
        api.on("PUT /api/feature-flags/f", (exchange, request) -> {
            if (puts.incrementAndGet() == 1) {
                version.incrementAndGet(); // someone else wrote first
                FakeApi.send(exchange, 412, "{\"error\": \"precondition_failed\", \"message\": \"changed\", \"details\": {\"current_version\": 4}}");
                return;
            }
            FakeApi.send(exchange, 200, flag(version.incrementAndGet(), 40));
        });

        Run run = gantry("flags", "rollout", "f", "--env", "production", "--percent", "40");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<FakeApi.Request> writes = api.requests.stream().filter(r -> r.method().equals("PUT")).toList();
        assertThat(writes).hasSize(2);
        assertThat(writes.get(0).header("If-Match")).isEqualTo("\"3\"");
        assertThat(writes.get(1).header("If-Match")).isEqualTo("\"4\"");
        JsonNode sent = read(writes.get(1).body());
        assertThat(sent.at("/environments/production/rules/0/rollout").toString()).isEqualTo("40");
        assertThat(sent.at("/environments/production/rules/0/description").asText()).isEqualTo("gradual rollout");
        assertThat(run.err()).contains("flag f changed since it was read (now version 4); reading it again");
        assertThat(run.out()).contains("env production: on 40%, 1 rule");
    }

    @Test
    void rolloutGivesUpWithExitCode5WhenTheFlagChangesAgain() {
        api.on("GET /api/feature-flags/f", (exchange, request) -> FakeApi.send(exchange, 200, flag(3, 10), Map.of("ETag", "\"3\"")));
        api.on("PUT /api/feature-flags/f", 412, "{\"error\": \"precondition_failed\", \"message\": \"changed\", \"details\": {\"current_version\": 9}}");

        Run run = gantry("flags", "rollout", "f", "--env", "production", "--percent", "40");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(run.err()).endsWith("gantry: flag f kept changing while its rollout was being set (now version 9); "
                + "check it with 'gantry flags show f' and run the command again\n");
        assertThat(api.requests.stream().filter(r -> r.method().equals("PUT"))).hasSize(2);
    }

    @Test
    void rolloutOfAnEnvironmentTheFlagIsNotSetUpInIsNotFound() {
        api.on("GET /api/feature-flags/f", 200, flag(3, 10));
        Run run = gantry("flags", "rollout", "f", "--env", "staging", "--percent", "40");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(run.err()).isEqualTo("gantry: flag f is not set up in environment staging (it is set up in production)\n");
    }

    @Test
    void deployWaitReportsEachChangeAndExitsWithTheOutcome() {
        List<String> states = List.of(
                "\"status\": \"in_progress\", \"step\": {\"index\": 0, \"count\": 3, \"description\": \"start 1 instance\"}",
                "\"status\": \"in_progress\", \"step\": {\"index\": 0, \"count\": 3, \"description\": \"start 1 instance\"}",
                "\"status\": \"in_progress\", \"step\": {\"index\": 1, \"count\": 3, \"description\": \"send 10% to r-2\"}",
                "\"status\": \"rolled_back\", \"reason\": \"error rate 0.7 above the ceiling 0.2\", \"step\": {\"index\": 1, \"count\": 3}");
        AtomicInteger reads = new AtomicInteger();
        api.on("GET /api/deploys/d-1", (exchange, request) -> FakeApi.send(exchange, 200,
                "{\"deploy_id\": \"d-1\", " + states.get(Math.min(reads.getAndIncrement(), states.size() - 1)) + "}"));

        Run run = gantry("deploy", "wait", "d-1");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err()).isEqualTo("""
                step 1/3: start 1 instance (in_progress)
                step 2/3: send 10% to r-2 (in_progress)
                step 2/3 (rolled_back): error rate 0.7 above the ceiling 0.2
                gantry: deploy d-1 rolled_back: error rate 0.7 above the ceiling 0.2
                """);
        assertThat(run.out()).contains("status: rolled_back\n");
    }

    @Test
    void waitingLongerThanTheTimeoutExitsWith7() {
        api.on("GET /api/deploys/d-1", 200, "{\"deploy_id\": \"d-1\", \"status\": \"awaiting_approval\", \"step\": {\"index\": 0, \"count\": 5}}");
        Run run = gantry("deploy", "wait", "d-1", "--timeout", "1s");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.TIMEOUT);
        assertThat(run.err()).endsWith("gantry: gave up waiting for deploy d-1 after 1s; last: step 1/5 (awaiting_approval)\n");
    }

    @Test
    void errorsAreOneLineWithTheServersMessageAndNeverTheToken() {
        api.on("GET /api/deploys/nope", 404, "{\"error\": \"not_found\", \"message\": \"deploy nope does not exist\", \"details\": {}}");
        Run missing = gantry("deploy", "show", "nope");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err()).isEqualTo("gantry: deploy nope does not exist (not_found, HTTP 404)\n");

        api.on("GET /api/builds", 401, "{\"error\": \"unauthenticated\", \"message\": \"unknown or revoked token\", \"details\": {}}");
        Run denied = gantry("build", "list");
        assertThat(denied.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(denied.err()).startsWith("gantry: unknown or revoked token (unauthenticated, HTTP 401)").doesNotContain(TOKEN);
    }

    @Test
    void anUnreachableServerIsExitCode6AndAMissingArgumentIs2() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run refused = run("flags", "list", "--server", "http://127.0.0.1:" + closed, "--token", TOKEN);
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.SERVER);
        assertThat(refused.err()).isEqualTo("gantry: cannot reach http://127.0.0.1:" + closed + "/: connection refused; is the server running?\n");

        Run usage = gantry("deploy", "start", "--service", "hello");
        assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.err()).contains("Missing required options: '--artifact=SHA', '--env=ENV'");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void aBuildWithoutBranchIsOfTheRepositorysDefaultBranch() {
        api.on("GET /api/repos/acme/shop", 200, "{\"name\": \"acme/shop\", \"default_branch\": \"trunk\"}");
        api.on("POST /api/builds", 201, "{\"build_id\": \"b-9\", \"repo\": \"acme/shop\", \"branch\": \"trunk\", \"status\": \"queued\"}");

        Run run = gantry("build", "start", "--repo", "acme/shop", "--commit", "0123456789abcdef0123456789abcdef01234567");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(api.requests.get(0).uri()).isEqualTo("/api/repos/acme/shop");
        JsonNode sent = read(api.requests.get(1).body());
        assertThat(sent.get("branch").asText()).isEqualTo("trunk");
        assertThat(sent.get("commit_sha").asText()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
        assertThat(run.out()).contains("build:  b-9\n").contains("branch: trunk\n");
    }

    @Test
    void followingALogPrintsItsLinesAndExitsWithTheBuildsResult() {
        api.on("GET /api/builds/b-1/logs", (exchange, request) -> {
            assertThat(request.uri()).contains("follow=true");
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write("""
                        event: status
                        data: {"status":"building"}

                        id: 1
                        event: log
                        data: {"line":1,"timestamp":"2026-01-01T00:00:00Z","level":"output","message":"compiling"}

                        : keep-alive

                        id: 2
                        event: log
                        data: {"line":2,"timestamp":"2026-01-01T00:00:01Z","level":"output","message":"test failed"}

                        event: status
                        data: {"status":"failed"}

                        event: end
                        data: {"build_id":"b-1","status":"failed","failure_reason":"step unit exited with 1"}

                        """.getBytes(StandardCharsets.UTF_8));
            }
        });

        Run run = gantry("build", "logs", "b-1", "--follow");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.out()).isEqualTo("compiling\ntest failed\n");
        assertThat(run.err()).isEqualTo("status: building\nstatus: failed\ngantry: build b-1 failed: step unit exited with 1\n");
    }

    @Test
    void aLogStreamThatStallsEndsAtTheTimeout() {
        api.on("GET /api/builds/b-2/logs", (exchange, request) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            body.write("event: status\ndata: {\"status\":\"building\"}\n\n".getBytes(StandardCharsets.UTF_8));
            body.flush();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        long started = System.nanoTime();
        Run run = gantry("build", "logs", "b-2", "--follow", "--timeout", "1s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.TIMEOUT);
        assertThat(run.err()).endsWith("gantry: gave up following the log of build b-2 after 1s; last status: building\n");
        assertThat(System.nanoTime() - started).isLessThan(8_000_000_000L);
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(json, e);
        }
    }
}
