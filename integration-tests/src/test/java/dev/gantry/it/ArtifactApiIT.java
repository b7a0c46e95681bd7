package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The artifact API of the distribution with its default filesystem store: real uploads over HTTP, real files in
 * the data directory (corrupted by hand where a test needs it), metadata in the embedded PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ArtifactApiIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private final Random random = new Random(42);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private GantryProcess gantry;
    private Api api;
    private String developer;
    private String viewer;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws InterruptedException {
        // a short retention so the retention job has something to delete; it only runs when asked here
        gantry = GantryProcess.start(workDir, Map.of("GANTRY_ARTIFACT_RETENTION", "3s",
                "GANTRY_ARTIFACT_RETENTION_INTERVAL", "1h"));
        try {
            gantry.awaitReady(Duration.ofSeconds(120));
        } catch (AssertionError | RuntimeException e) {
            gantry.close();
            throw e;
        }
        api = new Api(gantry.url());
        developer = token("dev", "developer");
        viewer = token("view", "viewer");
    }

    @AfterAll
    void stop() {
        if (gantry != null) {
            gantry.close();
        }
    }

    @Test
    void anUploadIsStoredOnceAndServedBackWithItsProvenance() throws Exception {
        byte[] bytes = randomBytes(300_000);
        String digest = sha256(bytes);

        HttpResponse<String> first = put(digest, bytes, developer, "?build_id=b-1&commit_sha=" + "a".repeat(40) + "&service=shop");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode created = json(first.body());
        assertThat(created.get("sha").asText()).isEqualTo(digest);
        assertThat(created.get("size_bytes").asLong()).isEqualTo(bytes.length);
        assertThat(created.get("state").asText()).isEqualTo("available");
        assertThat(created.get("created_at").asText()).isNotBlank();
        assertThat(created.get("provenance")).hasSize(1);
        assertThat(created.get("provenance").get(0).get("service").asText()).isEqualTo("shop");

        // the same bytes from another build and service: 200, one artifact, two provenance entries
        HttpResponse<String> again = put(digest.substring(7).toUpperCase(), bytes, developer, "?build_id=b-2&service=cart");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        JsonNode metadata = api.get("/api/artifacts/" + digest, viewer).json();
        assertThat(metadata.get("provenance").findValuesAsText("build_id")).containsExactly("b-1", "b-2");

        HttpResponse<byte[]> blob = getBytes(gantry.url().resolve("/api/artifacts/" + digest + "/blob"), viewer);
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).isEqualTo(bytes);
        assertThat(blob.headers().firstValue("ETag")).contains("\"" + digest + "\"");
        assertThat(blobFiles()).filteredOn(file -> file.getFileName().toString().equals(digest.substring(7))).hasSize(1);
    }

    @Test
    void bytesThatDoNotMatchTheirNameAreRefusedAndLeaveNothingBehind() throws Exception {
        byte[] bytes = randomBytes(50_000);
        String wrongName = sha256("something else".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> reply = put(wrongName, bytes, developer, "");

        assertThat(reply.statusCode()).isEqualTo(422);
        JsonNode error = json(reply.body());
        assertThat(error.get("error").asText()).isEqualTo("digest_mismatch");
        assertThat(error.get("details").get("actual").asText()).isEqualTo(sha256(bytes));
        assertThat(api.get("/api/artifacts/" + wrongName, viewer).status()).isEqualTo(404);
        assertThat(blobFiles()).noneMatch(file -> file.getFileName().toString().equals(wrongName.substring(7)));
        assertThat(partFiles()).isEmpty();
    }

    @Test
    void differentBytesNeverReplaceAStoredArtifact() throws Exception {
        byte[] original = randomBytes(10_000);
        String digest = sha256(original);
        assertThat(put(digest, original, developer, "").statusCode()).isEqualTo(201);

        assertThat(put(digest, randomBytes(10_000), developer, "").statusCode()).isEqualTo(422);

        assertThat(getBytes(gantry.url().resolve("/api/artifacts/" + digest + "/blob"), viewer).body()).isEqualTo(original);
    }

    @Test
    void malformedNamesAndEmptyBodiesGetClearErrors() throws Exception {
        for (String name : List.of("abc", "sha256:" + "g".repeat(64), "sha1:" + "a".repeat(40), "..%2F..%2Fetc%2Fpasswd",
                "sha256:..%2F" + "a".repeat(61))) {
            HttpResponse<String> reply = put(name, new byte[] {1, 2, 3}, developer, "");
            assertThat(reply.statusCode()).as(name + ": " + reply.body()).isEqualTo(400);
        }
        assertThat(json(put("abc", new byte[] {1}, developer, "").body()).get("message").asText())
                .contains("sha256:<64 hex digits>");
        HttpResponse<String> empty = put(sha256(new byte[0]), new byte[0], developer, "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(json(empty.body()).get("error").asText()).isEqualTo("empty_body");
        assertThat(put(sha256(new byte[] {1}), new byte[] {1}, developer, "?commit_sha=nothex").statusCode()).isEqualTo(400);
    }

    @Test
    void anUploadCutOffHalfwayLeavesNothingVisible() throws Exception {
        byte[] bytes = randomBytes(4_000_000);
        String digest = sha256(bytes);
        try (Socket socket = new Socket("127.0.0.1", gantry.url().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/artifacts/" + digest + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + developer
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!partFiles().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(partFiles()).as("temporary files of the cut upload").isEmpty();
        assertThat(api.get("/api/artifacts/" + digest, viewer).status()).isEqualTo(404);
        assertThat(blobFiles()).noneMatch(file -> file.getFileName().toString().equals(digest.substring(7)));

        assertThat(put(digest, bytes, developer, "").statusCode()).as("a retry of the whole upload").isEqualTo(201);
    }

    @Test
    void concurrentUploadsOfOneArtifactCreateItOnce() throws Exception {
        byte[] bytes = randomBytes(2_000_000);
        String digest = sha256(bytes);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Integer>> uploads = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                uploads.add(() -> put(digest, bytes, developer, "").statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(uploads)) {
                statuses.add(status.get());
            }
            assertThat(statuses).containsOnly(200, 201).filteredOn(status -> status == 201).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(getBytes(gantry.url().resolve("/api/artifacts/" + digest + "/blob"), viewer).body()).isEqualTo(bytes);
    }

    @Test
    void aBlobCorruptedOnDiskIsNeverServedAndIsMarkedAuditedAndRepairable() throws Exception {
        byte[] small = randomBytes(20_000);
        byte[] large = randomBytes(3_000_000);
        for (byte[] bytes : List.of(small, large)) {
            String digest = sha256(bytes);
            assertThat(put(digest, bytes, developer, "").statusCode()).isEqualTo(201);
            flipOneByte(blobFile(digest), bytes.length - 10);
        }

        // small: found before the first byte goes out
        HttpResponse<String> refused = http.send(request(URI.create(gantry.url() + "api/artifacts/" + sha256(small) + "/blob"), viewer)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused.body()).get("error").asText()).isEqualTo("artifact_corrupt");

        // large: the transfer fails before its last bytes, so no client takes it for whole
        assertThatThrownBy(() -> getBytes(gantry.url().resolve("/api/artifacts/" + sha256(large) + "/blob"), viewer))
                .isInstanceOf(IOException.class);

        for (byte[] bytes : List.of(small, large)) {
            String digest = sha256(bytes);
            JsonNode metadata = api.get("/api/artifacts/" + digest, viewer).json();
            assertThat(metadata.get("state").asText()).isEqualTo("corrupt");
            assertThat(metadata.get("corrupt").get("reason").asText()).contains("hash");
            assertThat(metadata.get("download_url").isNull()).isTrue();
            JsonNode audit = api.get("/api/audit?action=artifact.corrupt&target=" + digest, ADMIN).json();
            assertThat(audit.get("entries")).hasSize(1);
            assertThat(api.post("/api/artifacts/missing", viewer, "{\"digests\":[\"" + digest + "\"]}").json().get("missing"))
                    .hasSize(1);

            // uploading the right bytes again repairs it
            assertThat(put(digest, bytes, developer, "").statusCode()).isEqualTo(201);
            assertThat(api.get("/api/artifacts/" + digest, viewer).json().get("state").asText()).isEqualTo("available");
            assertThat(getBytes(gantry.url().resolve("/api/artifacts/" + digest + "/blob"), viewer).body()).isEqualTo(bytes);
        }
    }

    @Test
    void missingAnswersWhichDigestsTheServerLacksInTheOrderAsked() throws Exception {
        byte[] bytes = randomBytes(1000);
        String stored = sha256(bytes);
        assertThat(put(stored, bytes, developer, "").statusCode()).isEqualTo(201);
        String unknownA = sha256("a".getBytes(StandardCharsets.UTF_8));
        String unknownB = sha256("b".getBytes(StandardCharsets.UTF_8));

        Api.Reply reply = api.post("/api/artifacts/missing", viewer, "{\"digests\":[\"" + unknownB + "\",\"" + stored.substring(7)
                + "\",\"" + unknownA.substring(7).toUpperCase() + "\",\"" + unknownB + "\"]}");

        assertThat(reply.status()).isEqualTo(200);
        List<String> missing = new ArrayList<>();
        reply.json().get("missing").forEach(node -> missing.add(node.asText()));
        assertThat(missing).containsExactly(unknownB, unknownA);

        Api.Reply bad = api.post("/api/artifacts/missing", viewer, "{\"digests\":[\"" + stored + "\",\"nope\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("details").get("index").asInt()).isEqualTo(1);
    }

    @Test
    void theSignedDownloadUrlNeedsNoTokenAndCannotBeForged() throws Exception {
        byte[] bytes = randomBytes(5000);
        String digest = sha256(bytes);
        assertThat(put(digest, bytes, developer, "").statusCode()).isEqualTo(201);
        String url = api.get("/api/artifacts/" + digest, viewer).json().get("download_url").asText();

        assertThat(getBytes(URI.create(url), null).body()).isEqualTo(bytes);

        String other = sha256("other".getBytes(StandardCharsets.UTF_8));
        for (String forged : List.of(url.replace(digest, other), url.replaceAll("expires=\\d+", "expires=99999999999"),
                url.replaceAll("signature=[^&]+", "signature=AAAA"))) {
            HttpResponse<byte[]> refused = getBytes(URI.create(forged), null);
            assertThat(refused.statusCode()).as(forged).isEqualTo(403);
        }
        assertThat(getBytes(gantry.url().resolve("/api/artifacts/" + digest + "/blob"), null).statusCode()).isEqualTo(401);
    }

    @Test
    void onlyDevelopersAndAboveUpload() throws Exception {
        byte[] bytes = randomBytes(100);
        assertThat(put(sha256(bytes), bytes, viewer, "").statusCode()).isEqualTo(403);
        assertThat(put(sha256(bytes), bytes, null, "").statusCode()).isEqualTo(401);
        assertThat(api.get("/api/artifacts/" + sha256(bytes), viewer).status()).isEqualTo(404);
    }

    @Test
    void theRetentionJobDeletesOldUnpinnedArtifactsAndKeepsPinnedOnes() throws Exception {
        byte[] keptBytes = randomBytes(1000);
        byte[] oldBytes = randomBytes(1000);
        String kept = sha256(keptBytes);
        String old = sha256(oldBytes);
        assertThat(put(kept, keptBytes, developer, "").statusCode()).isEqualTo(201);
        assertThat(put(old, oldBytes, developer, "").statusCode()).isEqualTo(201);
        String deployer = token("deployer-" + System.nanoTime(), "deployer");
        Api.Reply pinned = api.method("PUT", "/api/artifacts/" + kept + "/pins/release:r-1", deployer, "{\"reason\":\"live in production\"}");
        assertThat(pinned.status()).as(pinned.body()).isEqualTo(200);
        assertThat(pinned.json().get("pins").get(0).get("owner").asText()).isEqualTo("release:r-1");
        Thread.sleep(3500); // past the 3 s retention

        JsonNode dryRun = api.post("/api/artifacts/gc?dry_run=true", ADMIN, "{}").json();
        assertThat(dryRun.get("dry_run").asBoolean()).isTrue();
        assertThat(dryRun.get("deleted").findValuesAsText("sha")).contains(old).doesNotContain(kept);
        assertThat(api.get("/api/artifacts/" + old, viewer).status()).as("a dry run deletes nothing").isEqualTo(200);

        JsonNode run = api.post("/api/artifacts/gc", ADMIN, "{}").json();
        assertThat(run.get("deleted").findValuesAsText("sha")).contains(old).doesNotContain(kept);
        assertThat(run.get("kept_pinned").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(api.get("/api/artifacts/" + old, viewer).status()).isEqualTo(404);
        assertThat(blobFiles()).noneMatch(file -> file.getFileName().toString().equals(old.substring(7)));
        assertThat(api.get("/api/artifacts/" + kept, viewer).json().get("state").asText()).isEqualTo("available");
        assertThat(api.get("/api/audit?action=artifact.delete&target=" + old, ADMIN).json().get("entries")).hasSize(1);

        assertThat(api.delete("/api/artifacts/" + kept + "/pins/release:r-1", deployer).status()).isEqualTo(204);
        assertThat(api.post("/api/artifacts/gc", viewer, "{}").status()).isEqualTo(403);
    }

    private String token(String name, String role) {
        Api.Reply user = api.post("/api/users", ADMIN, "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        assertThat(user.status()).as(user.body()).isEqualTo(201);
        Api.Reply token = api.post("/api/tokens", ADMIN, "{\"name\":\"t\",\"user_id\":\"" + user.json().get("id").asText() + "\"}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        return token.json().get("token").asText();
    }

    private HttpResponse<String> put(String name, byte[] bytes, String token, String query) throws Exception {
        return http.send(request(URI.create(gantry.url() + "api/artifacts/" + name + query), token)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> getBytes(URI uri, String token) throws Exception {
        return http.send(request(uri, token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder request(URI uri, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private Path storeRoot() {
        return gantry.dataDir().resolve("plugin-data/artifact-store-fs");
    }

    private Path blobFile(String digest) {
        String hex = digest.substring(7);
        return storeRoot().resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    private List<Path> blobFiles() throws IOException {
        try (Stream<Path> files = Files.walk(storeRoot().resolve("sha256"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private List<Path> partFiles() throws IOException {
        try (Stream<Path> files = Files.list(storeRoot().resolve("tmp"))) {
            return files.toList();
        }
    }

    private static void flipOneByte(Path file, long position) throws IOException {
        byte[] content = Files.readAllBytes(file);
        content[(int) position] ^= 0x5a;
        // the store keeps blobs read-only to itself only by convention; an operator's or a disk's damage is what
        // this simulates
        Files.write(file, content);
    }

    private byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static JsonNode json(String body) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) != -1; ) {
                digest.update(buffer, 0, read);
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
