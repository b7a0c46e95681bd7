package dev.gantry.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real HTTP through a real router, started in-process on ephemeral ports, to two real backends. */
class RouterTest extends RouterFixture {
    @TempDir
    Path dir;

    TestBackend stable;
    TestBackend canary;
    Router router;

    @BeforeEach
    void start() throws Exception {
        stable = new TestBackend("v1");
        canary = new TestBackend("v2");
        router = startRouter();
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        stable.close();
        canary.close();
    }

    private Router startRouter() throws RouterException {
        return Router.start(new RouterOptions(dir, 0, "127.0.0.1", 10_000));
    }

    private HttpResponse<String> put(String body) {
        return putState(router.adminPort(), router.adminToken(), body);
    }

    private HttpResponse<String> get(String path) {
        return send(admin(router.adminPort(), router.adminToken(), path).GET());
    }

    /**
     * The version's samples since {@code from}, once there are {@code count}: a sample is recorded when the router
     * has finished writing the response, which can be a moment after the client has read it.
     */
    private JsonNode awaitSamples(String version, long from, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            JsonNode samples = json(get("/admin/samples?version=" + version + "&from=" + from + "&to=" + (System.currentTimeMillis() + 1)));
            if (samples.path("samples").size() >= count || System.nanoTime() > deadline) {
                return samples;
            }
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> request(Map<String, String> headers) {
        return proxied(router.listenPort(), "/hello?x=1", headers);
    }

    private void setWeights(long fence, int v1, int v2) {
        HttpResponse<String> response = put(state(fence, "v1", v1, stable.address(), "v2", v2, canary.address()));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** Sends n requests from 4 threads; counts them by the version header, which must match the body. */
    private Map<String, Integer> countVersions(int n, Map<String, String> headers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    HttpResponse<String> response = request(headers);
                    assertThat(response.statusCode()).isEqualTo(200);
                    assertThat(response.headers().allValues("X-Gantry-Version")).containsExactly(response.body());
                    return response.body();
                }));
            }
            Map<String, Integer> counts = new HashMap<>();
            for (Future<String> future : futures) {
                counts.merge(future.get(), 1, Integer::sum);
            }
            return counts;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void splitsTrafficByWeight() throws Exception {
        setWeights(1, 90, 10);

        Map<String, Integer> counts = countVersions(2000, Map.of());

        assertThat(counts.getOrDefault("v1", 0) + counts.getOrDefault("v2", 0)).isEqualTo(2000);
        // 10 % of 2,000 is 200, with a standard deviation of 13.4: ±60 is 4.5 of them
        assertThat(counts.getOrDefault("v2", 0)).isBetween(140, 260);
    }

    /** Sends a request, at fence 1 all to v1, that v1's backend holds until {@code stable.hold} is counted down. */
    private Future<HttpResponse<String>> requestHeldByV1(ExecutorService pool) throws InterruptedException {
        setWeights(1, 100, 0);
        stable.hold = new CountDownLatch(1);
        stable.arrived = new CountDownLatch(1);
        Future<HttpResponse<String>> held = pool.submit(() -> request(Map.of()));
        assertThat(stable.arrived.await(10, TimeUnit.SECONDS)).isTrue();
        return held;
    }

    @Test
    void aStateChangeAnswersOnlyOnceTheBackendsItRemovedHaveFinishedTheirRequests() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<HttpResponse<String>> slow = requestHeldByV1(pool);

            // v1 keeps its busy backend, only its weight goes: nothing to wait for
            long started = System.nanoTime();
            setWeights(2, 0, 100);
            assertThat(System.nanoTime() - started).as("a change that removes no backend answers at once")
                    .isLessThan(TimeUnit.SECONDS.toNanos(2));

            // v1's backend leaves: the next request is routed by the new state at once, the answer waits for v1's
            Future<HttpResponse<String>> change = pool.submit(() -> put(state(3, "v1", 0, null, "v2", 100, canary.address())));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (json(get("/admin/state")).path("fence").asLong() != 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(countVersions(10, Map.of())).containsExactly(Map.entry("v2", 10));
            Thread.sleep(200);
            assertThat(change).isNotDone();

            stable.hold.countDown();
            long released = System.nanoTime();
            assertThat(change.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(System.nanoTime() - released).as("answered once the request is done, not at the 5 s bound")
                    .isLessThan(TimeUnit.SECONDS.toNanos(2));
            HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("v1");
        } finally {
            if (stable.hold != null) {
                stable.hold.countDown();
            }
            pool.shutdownNow();
        }
    }

    @Test
    void aStateChangeWaitsForARequestThatNeverEndsNoLongerThanTheDrainBound() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            requestHeldByV1(pool);

            long started = System.nanoTime();
            HttpResponse<String> change = put(state(2, "v1", 0, null, "v2", 100, canary.address()));

            assertThat(change.statusCode()).isEqualTo(200);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                    .isBetween(Router.DRAIN_MILLIS - 100, Router.DRAIN_MILLIS + 3_000);
        } finally {
            if (stable.hold != null) {
                stable.hold.countDown();
            }
            pool.shutdownNow();
        }
    }

    @Test
    void headerForcesAVersionWithBackendsWhateverItsWeight() throws Exception {
        setWeights(1, 100, 0);

        assertThat(countVersions(50, Map.of("X-Gantry-Version", "v2"))).containsExactly(Map.entry("v2", 50));
        assertThat(countVersions(20, Map.of("X-Gantry-Version", "v1"))).containsExactly(Map.entry("v1", 20));
        // an unknown version is ignored: the weights decide
        assertThat(countVersions(20, Map.of("X-Gantry-Version", "v9"))).containsExactly(Map.entry("v1", 20));
    }

    @Test
    void stickyKeysStayOnOneVersion() throws Exception {
        setWeights(1, 50, 50);

        Set<String> seen = new HashSet<>();
        for (int user = 0; user < 40; user++) {
            Map<String, Integer> byHeader = countVersions(8, Map.of("X-Gantry-Sticky", "user-" + user));
            assertThat(byHeader).as("user-%d by header", user).hasSize(1);
            Map<String, Integer> byCookie = countVersions(8, Map.of("Cookie", "theme=dark; gantry_sticky=user-" + user + "; lang=en"));
            assertThat(byCookie).as("user-%d by cookie", user).isEqualTo(byHeader);
            seen.addAll(byHeader.keySet());
        }
        assertThat(seen).as("40 users at 50/50 land on both versions").containsExactlyInAnyOrder("v1", "v2");
    }

    @Test
    void weightChangeTakesEffectForTheNextRequest() throws Exception {
        setWeights(1, 90, 10);
        assertThat(countVersions(300, Map.of())).containsKeys("v1", "v2");

        setWeights(2, 100, 0);
        assertThat(countVersions(300, Map.of())).containsExactly(Map.entry("v1", 300));

        setWeights(3, 0, 100);
        assertThat(countVersions(300, Map.of())).containsExactly(Map.entry("v2", 300));
    }

    @Test
    void fenceRefusesOlderChangesAndAcceptsReplays() {
        setWeights(5, 90, 10);
        setWeights(5, 90, 10);

        HttpResponse<String> stale = put(state(4, "v1", 100, stable.address()));
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(json(stale).path("error").asText()).isEqualTo("stale_fence");
        assertThat(json(stale).path("message").asText()).contains("4").contains("5");

        JsonNode current = json(get("/admin/state"));
        assertThat(current.path("fence").asLong()).isEqualTo(5);
        assertThat(current.path("versions").path("v2").path("weight").asInt()).isEqualTo(10);

        HttpResponse<String> newer = put(state(7, "v1", 100, stable.address()));
        assertThat(newer.statusCode()).isEqualTo(200);
        assertThat(json(newer).path("fence").asLong()).isEqualTo(7);
        assertThat(json(newer).path("versions").has("v2")).isFalse();
        assertThat(put(state(6, "v1", 100, stable.address())).statusCode()).isEqualTo(409);
    }

    @Test
    void invalidStatesAreRefusedWithAMessage() throws Exception {
        setWeights(1, 90, 10);
        String before = Files.readString(dir.resolve("state.json"));
        Map<String, String> cases = new HashMap<>();
        cases.put(state(2, "v1", 90, stable.address(), "v2", 20, canary.address()), "add up to 110");
        cases.put(state(2, "v1", 101, stable.address()), "versions.v1.weight");
        cases.put(state(2, "v1", -1, stable.address(), "v2", 101, canary.address()), "versions.v1.weight");
        cases.put(state(2, "v1", 100, "not-a-backend"), "versions.v1.backends[0]");
        cases.put(state(2, "v1", 100, "127.0.0.1:0"), "versions.v1.backends[0]");
        cases.put(state(2, "v1", 100, "127.0.0.1:70000"), "versions.v1.backends[0]");
        cases.put(state(2, "bad/name", 100, stable.address()), "version name");
        cases.put(state(2, "v1", "50.5", stable.address(), "v2", "49.5", canary.address()), "versions.v1.weight");
        cases.put("{\"fence\": 2}", "versions must be an object");
        cases.put("{\"versions\": {}}", "fence");
        cases.put("{\"fence\": -1, \"versions\": {}}", "fence");
        cases.put("{\"fence\": 2, \"versions\": {}, \"weights\": 1}", "unknown field weights");
        cases.put("{\"fence\": 2, \"versions\": {\"v1\": {\"weight\": 100}}}", "versions.v1.backends");
        cases.put("not json", "not JSON");
        cases.put("", "JSON object");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = put(c.getKey());
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(json(response).path("error").asText()).as(c.getKey()).isEqualTo("invalid_state");
            assertThat(json(response).path("message").asText()).as(c.getKey()).contains(c.getValue());
        }
        assertThat(Files.readString(dir.resolve("state.json"))).isEqualTo(before);
        assertThat(json(get("/admin/state")).path("fence").asLong()).isEqualTo(1);
        // all weights 0 and no versions at all are valid
        assertThat(put(state(2, "v1", 0, stable.address(), "v2", 0, canary.address())).statusCode()).isEqualTo(200);
        assertThat(put("{\"fence\": 3, \"versions\": {}}").statusCode()).isEqualTo(200);
    }

    @Test
    void adminNeedsTheToken() {
        for (String token : new String[] {null, "wrong", router.adminToken() + "x", ""}) {
            for (String path : new String[] {"/admin/health", "/admin/state", "/admin/samples?version=v1", "/nothing"}) {
                HttpResponse<String> response = send(admin(router.adminPort(), token, path).GET());
                assertThat(response.statusCode()).as("%s with %s", path, token).isEqualTo(401);
                assertThat(json(response).path("error").asText()).isEqualTo("unauthorized");
            }
            assertThat(putState(router.adminPort(), token, state(9, "v1", 100, stable.address())).statusCode()).isEqualTo(401);
        }
        assertThat(json(get("/admin/state")).path("fence").asLong()).isZero();

        HttpResponse<String> health = get("/admin/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).path("status").asText()).isEqualTo("ok");
        assertThat(json(health).path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(json(health).path("listen_port").asInt()).isEqualTo(router.listenPort());
        assertThat(get("/admin/nothing").statusCode()).isEqualTo(404);
        assertThat(send(admin(router.adminPort(), router.adminToken(), "/admin/health")
                .DELETE()).statusCode()).isEqualTo(405);
    }

    @Test
    void adminFileDescribesTheRunningRouter() throws Exception {
        Path file = dir.resolve("admin.json");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        JsonNode admin = MAPPER.readTree(file.toFile());
        assertThat(admin.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(admin.path("listen_port").asInt()).isEqualTo(router.listenPort());
        assertThat(admin.path("admin_port").asInt()).isEqualTo(router.adminPort());
        assertThat(admin.path("admin_token").asText()).isEqualTo(router.adminToken()).matches("[0-9a-f]{64}");
        assertThat(admin.path("started_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(Files.exists(dir.resolve("state.json"))).isTrue();
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        setWeights(4, 100, 0);
        String firstToken = router.adminToken();
        router.close();
        router = null;

        router = startRouter();

        assertThat(router.adminToken()).isNotEqualTo(firstToken);
        JsonNode state = json(get("/admin/state"));
        assertThat(state.path("fence").asLong()).isEqualTo(4);
        assertThat(state.path("versions").path("v1").path("backends").get(0).asText()).isEqualTo(stable.address());
        assertThat(countVersions(50, Map.of())).containsExactly(Map.entry("v1", 50));
        assertThat(put(state(3, "v1", 0, stable.address(), "v2", 100, canary.address())).statusCode()).isEqualTo(409);
        assertThat(MAPPER.readTree(dir.resolve("admin.json").toFile()).path("admin_token").asText()).isEqualTo(router.adminToken());
    }

    @Test
    void samplesRecordEveryRequestWithItsStatus() throws Exception {
        setWeights(1, 50, 50);
        canary.status = 500;
        long from = System.currentTimeMillis();
        for (int i = 0; i < 30; i++) {
            assertThat(request(Map.of("X-Gantry-Version", "v2")).statusCode()).isEqualTo(500);
            assertThat(request(Map.of("X-Gantry-Version", "v1")).statusCode()).isEqualTo(200);
        }
        awaitSamples("v1", from, 30);
        awaitSamples("v2", from, 30);
        long to = System.currentTimeMillis() + 1;

        JsonNode v2 = json(get("/admin/samples?version=v2&from=" + from + "&to=" + to));
        assertThat(v2.path("version").asText()).isEqualTo("v2");
        assertThat(v2.path("samples")).hasSize(30);
        for (JsonNode sample : v2.path("samples")) {
            assertThat(sample).hasSize(3);
            assertThat(sample.get(0).asLong()).isBetween(from, to - 1);
            assertThat(sample.get(1).isDouble()).isTrue();
            assertThat(sample.get(1).asDouble()).isPositive().isLessThan(20_000);
            assertThat(sample.get(2).asInt()).isEqualTo(500);
        }
        JsonNode v1 = json(get("/admin/samples?version=v1&from=" + from + "&to=" + to));
        assertThat(v1.path("samples")).hasSize(30);
        v1.path("samples").forEach(sample -> assertThat(sample.get(2).asInt()).isEqualTo(200));

        assertThat(json(get("/admin/samples?version=v1&from=" + to + "&to=" + (to + 60_000))).path("samples")).isEmpty();
        assertThat(json(get("/admin/samples?version=v1&from=0&to=" + from)).path("samples")).isEmpty();
        JsonNode unknown = json(get("/admin/samples?version=nope&from=0&to=" + to));
        assertThat(unknown.path("version").asText()).isEqualTo("nope");
        assertThat(unknown.path("samples")).isEmpty();
        assertThat(get("/admin/samples?from=0&to=1").statusCode()).isEqualTo(400);
        assertThat(get("/admin/samples?version=v1&from=yesterday").statusCode()).isEqualTo(400);
    }

    @Test
    void noBackendIs503AndRecorded() throws Exception {
        HttpResponse<String> none = request(Map.of());
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(json(none).path("error").asText()).isEqualTo("no_backend");
        assertThat(none.headers().firstValue("X-Gantry-Version")).isEmpty();

        assertThat(put(state(1, "v1", 100, null)).statusCode()).isEqualTo(200);
        long from = System.currentTimeMillis();
        HttpResponse<String> empty = request(Map.of());
        assertThat(empty.statusCode()).isEqualTo(503);
        assertThat(json(empty).path("error").asText()).isEqualTo("no_backend");
        assertThat(json(empty).path("message").asText()).contains("v1");
        assertThat(empty.headers().allValues("X-Gantry-Version")).containsExactly("v1");

        JsonNode samples = awaitSamples("v1", from, 1);
        assertThat(samples.path("samples")).hasSize(1);
        assertThat(samples.path("samples").get(0).get(2).asInt()).isEqualTo(503);

        // all weights 0: nothing routable unless a version is forced
        assertThat(put(state(2, "v1", 0, stable.address())).statusCode()).isEqualTo(200);
        assertThat(request(Map.of()).statusCode()).isEqualTo(503);
        assertThat(request(Map.of("X-Gantry-Version", "v1")).body()).isEqualTo("v1");
    }

    @Test
    void unreachableBackendIs502AndRecorded() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThat(put(state(1, "v1", 100, "127.0.0.1:" + closedPort)).statusCode()).isEqualTo(200);
        long from = System.currentTimeMillis();

        HttpResponse<String> response = request(Map.of());

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().allValues("X-Gantry-Version")).containsExactly("v1");
        JsonNode samples = awaitSamples("v1", from, 1);
        assertThat(samples.path("samples")).hasSize(1);
        assertThat(samples.path("samples").get(0).get(2).asInt()).isEqualTo(502);
    }

    @Test
    void requestBodiesAndPathsReachTheBackend() throws Exception {
        // the backend drains the body and answers its name: a POST with a body goes through intact enough to answer
        setWeights(1, 100, 0);
        HttpResponse<String> response = send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + router.listenPort() + "/a/b?c=d"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("v1");
    }
}
