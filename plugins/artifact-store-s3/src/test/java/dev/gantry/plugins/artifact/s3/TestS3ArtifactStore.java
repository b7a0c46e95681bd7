package dev.gantry.plugins.artifact.s3;

import static dev.gantry.plugins.artifact.s3.HostUpload.digest;
import static dev.gantry.plugins.artifact.s3.HostUpload.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.artifact.ArtifactNotFoundException;
import dev.gantry.plugin.api.artifact.ArtifactStoreUnavailableException;
import dev.gantry.plugin.api.artifact.PutResult;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;

/** The store against a real S3 server (s3proxy in this JVM), observed through the store and through S3 itself. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TestS3ArtifactStore {
    private static final int MIB = 1024 * 1024;
    /** Larger than two 5 MiB parts, so a multipart upload has a full part, another full part and a short one. */
    private static final int MULTIPART_SIZE = 12 * MIB + 12_345;

    private static S3ProxyServer server;

    private final List<S3ArtifactStore> stores = new ArrayList<>();
    private String bucket;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3ProxyServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void createBucket() {
        bucket = "gantry-" + UUID.randomUUID().toString().substring(0, 8);
        server.createBucket(bucket);
    }

    @AfterEach
    void closeStores() {
        stores.forEach(S3ArtifactStore::close);
    }

    @Test
    void storesAnArtifactUnderItsDigestAndOpensTheSameBytes() throws IOException {
        S3ArtifactStore store = store(Map.of());
        byte[] bytes = randomBytes(100_000, 1);
        String digest = digest(bytes);

        PutResult result = store.put(digest, HostUpload.of(bytes), bytes.length);

        assertThat(result).isEqualTo(new PutResult(digest, bytes.length, true));
        assertThat(read(store, digest)).isEqualTo(bytes);
        assertThat(artifactKeys()).containsExactly("artifacts/sha256/" + digest.substring("sha256:".length()));
        assertThat(store.kind()).isEqualTo("s3");
    }

    static Stream<Arguments> uploadShapes() {
        return Stream.of(
                Arguments.of("empty, announced", 0, true),
                Arguments.of("empty, length unknown", 0, false),
                Arguments.of("small, announced", 70_000, true),
                Arguments.of("small, length unknown", 70_000, false),
                Arguments.of("exactly one part, announced", 5 * MIB, true),
                Arguments.of("exactly one part, length unknown", 5 * MIB, false),
                Arguments.of("three parts, announced", MULTIPART_SIZE, true),
                Arguments.of("three parts, length unknown", MULTIPART_SIZE, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("uploadShapes")
    void storesUploadsOfAnySizeWhetherOrNotTheirLengthIsAnnounced(String shape, int size, boolean announced)
            throws IOException {
        S3ArtifactStore store = store(Map.of("part-size", "5MiB"));
        byte[] bytes = randomBytes(size, size);
        String digest = digest(bytes);
        HostUpload upload = HostUpload.of(bytes);

        PutResult result = store.put(digest, upload, announced ? size : -1);

        assertThat(result).isEqualTo(new PutResult(digest, size, true));
        assertThat(upload.endReached()).as("the host's check at the end of the upload ran").isTrue();
        assertThat(read(store, digest)).isEqualTo(bytes);
        assertThat(server.pendingUploads(bucket)).isEmpty();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1_000, MULTIPART_SIZE})
    void aSecondPutOfAStoredDigestStoresNothingButStillReadsTheWholeUpload(int size) throws IOException {
        S3ArtifactStore store = store(Map.of("part-size", "5MiB"));
        byte[] bytes = randomBytes(size, 2);
        String digest = digest(bytes);
        store.put(digest, HostUpload.of(bytes), size);
        // different bytes under the same name: the host would refuse them, but they show that nothing is replaced
        HostUpload again = HostUpload.of(randomBytes(size, 3));

        PutResult result = store.put(digest, again, size);

        assertThat(result).isEqualTo(new PutResult(digest, size, false));
        assertThat(again.endReached()).as("the host's check at the end of the upload ran").isTrue();
        assertThat(read(store, digest)).isEqualTo(bytes);
        assertThat(artifactKeys()).hasSize(1);
        assertThat(server.pendingUploads(bucket)).isEmpty();
    }

    @ParameterizedTest(name = "conditional-writes={0}")
    @ValueSource(booleans = {true, false})
    void anArtifactStoredByAnotherWriterWhileAnUploadIsReadIsNotReplaced(boolean conditionalWrites) throws IOException {
        S3ArtifactStore store = store(Map.of("conditional-writes", String.valueOf(conditionalWrites)));
        byte[] bytes = randomBytes(50_000, 4);
        String digest = digest(bytes);
        byte[] theirs = randomBytes(50_000, 5); // distinguishable from this upload's bytes
        HostUpload upload = HostUpload.of(bytes).onReaching(bytes.length, () ->
                server.admin().putObject(request -> request.bucket(bucket).key(key(digest)), RequestBody.fromBytes(theirs)));

        // of unknown length: read to its end (the other writer stores meanwhile) before the store writes anything
        PutResult result = store.put(digest, upload, -1);

        assertThat(result.created()).isFalse();
        assertThat(read(store, digest)).isEqualTo(theirs);
    }

    @Test
    void withoutConditionalWritesAMultipartUploadIsAbortedWhenAnotherWriterStoredTheArtifactMeanwhile()
            throws IOException {
        // s3proxy ignores If-None-Match on CompleteMultipartUpload, so this is the check-then-write path only
        S3ArtifactStore store = store(Map.of("part-size", "5MiB", "conditional-writes", "false"));
        byte[] bytes = randomBytes(MULTIPART_SIZE, 6);
        String digest = digest(bytes);
        byte[] theirs = randomBytes(10, 7);
        HostUpload upload = HostUpload.of(bytes).onReaching(bytes.length, () ->
                server.admin().putObject(request -> request.bucket(bucket).key(key(digest)), RequestBody.fromBytes(theirs)));

        PutResult result = store.put(digest, upload, bytes.length);

        assertThat(result).isEqualTo(new PutResult(digest, bytes.length, false));
        assertThat(read(store, digest)).isEqualTo(theirs);
        assertThat(server.pendingUploads(bucket)).isEmpty();
    }

    static Stream<Arguments> failingUploads() {
        List<Arguments> cases = new ArrayList<>();
        for (int size : new int[] {200_000, MULTIPART_SIZE}) {
            for (boolean announced : new boolean[] {true, false}) {
                for (boolean atEnd : new boolean[] {true, false}) {
                    String name = (size == MULTIPART_SIZE ? "multipart" : "single request")
                            + (announced ? ", announced" : ", length unknown")
                            + (atEnd ? ", digest refused at the end" : ", broken off part-way");
                    cases.add(Arguments.of(name, size, announced, atEnd));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingUploads")
    void anUploadThatFailsLeavesNothingBehindAndItsExceptionReachesTheHostUnchanged(String name, int size,
            boolean announced, boolean atEnd) throws IOException {
        S3ArtifactStore store = store(Map.of("part-size", "5MiB"));
        byte[] bytes = randomBytes(size, 8);
        String digest = digest(bytes);
        IOException failure = atEnd ? new IOException("digest mismatch") : new EOFException("the client went away");
        HostUpload upload = atEnd
                ? HostUpload.failingAtEnd(bytes, failure)
                : HostUpload.failingAfter(bytes, size / 2 + 3, failure);

        assertThatThrownBy(() -> store.put(digest, upload, announced ? size : -1)).isSameAs(failure);

        assertThat(store.exists(digest)).isFalse();
        assertThat(artifactKeys()).isEmpty();
        assertThat(server.pendingUploads(bucket)).isEmpty();
    }

    @ParameterizedTest(name = "{0} bytes announced for 200,000")
    @ValueSource(ints = {199_999, 200_001, MULTIPART_SIZE})
    void anUploadWhoseLengthIsNotTheAnnouncedOneIsRefusedAndLeavesNothingBehind(int announced) throws IOException {
        S3ArtifactStore store = store(Map.of("part-size", "5MiB"));
        byte[] bytes = randomBytes(200_000, 9);
        String digest = digest(bytes);

        assertThatThrownBy(() -> store.put(digest, HostUpload.of(bytes), announced))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("announced " + announced + " bytes");

        assertThat(store.exists(digest)).isFalse();
        assertThat(server.pendingUploads(bucket)).isEmpty();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {MIB, MULTIPART_SIZE})
    void concurrentPutsOfOneDigestAllSucceedAndLeaveOneObject(int size) throws Exception {
        S3ArtifactStore store = store(Map.of("part-size", "5MiB"));
        byte[] bytes = randomBytes(size, 10);
        String digest = digest(bytes);
        int writers = 6;
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<PutResult>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                results.add(threads.submit(() -> {
                    start.await();
                    return store.put(digest, HostUpload.of(bytes), size);
                }));
            }
            start.countDown();

            List<PutResult> done = new ArrayList<>();
            for (Future<PutResult> result : results) {
                done.add(result.get(30, TimeUnit.SECONDS));
            }
            assertThat(done).allSatisfy(result -> assertThat(result.digest()).isEqualTo(digest));
            assertThat(done).anyMatch(PutResult::created);
        } finally {
            threads.shutdownNow();
        }
        assertThat(artifactKeys()).hasSize(1);
        assertThat(read(store, digest)).isEqualTo(bytes);
        assertThat(server.pendingUploads(bucket)).isEmpty();
    }

    @Test
    void existsIsTrueOnlyForStoredDigestsAndDeleteRemovesOnceAndThenDoesNothing() throws IOException {
        S3ArtifactStore store = store(Map.of());
        byte[] bytes = randomBytes(1_000, 11);
        String digest = digest(bytes);
        assertThat(store.exists(digest)).isFalse();

        store.put(digest, HostUpload.of(bytes), bytes.length);
        assertThat(store.exists(digest)).isTrue();

        store.delete(digest);
        assertThat(store.exists(digest)).isFalse();
        assertThatThrownBy(() -> store.open(digest)).isInstanceOf(ArtifactNotFoundException.class);
        store.delete(digest);
        assertThat(artifactKeys()).isEmpty();
    }

    @Test
    void openingADigestThatWasNeverStoredIsNotFound() {
        S3ArtifactStore store = store(Map.of());
        String digest = digest(new byte[] {42});

        assertThatThrownBy(() -> store.open(digest))
                .isInstanceOf(ArtifactNotFoundException.class)
                .hasMessage("no artifact " + digest + " in S3 bucket '" + bucket + "'");
    }

    static Stream<String> malformedDigests() {
        String hex = digest(new byte[] {1}).substring("sha256:".length());
        return Stream.of("", "sha256:", hex, "sha256:" + hex.toUpperCase(), "SHA256:" + hex, "sha512:" + hex,
                "sha256:" + hex.substring(1), "sha256:" + hex + "0", " sha256:" + hex, "sha256:" + hex + "\n",
                "sha256:../../../etc/passwd", "../sha256:" + hex, "sha256:" + hex.substring(3) + "/..",
                "sha256:" + hex.substring(6) + "%2e%2e/");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("malformedDigests")
    void refusesAnyNameButALowercaseSha256Digest(String digest) {
        S3ArtifactStore store = store(Map.of());

        assertThatThrownBy(() -> store.put(digest, HostUpload.of(new byte[] {1}), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.open(digest)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.exists(digest)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(digest)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.presignedUrl(digest, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(server.keys(bucket)).isEmpty();
    }

    @Test
    void aPresignedUrlFetchesTheBytesWithoutCredentialsAndSaysWhenItExpires() throws Exception {
        S3ArtifactStore store = store(Map.of());
        byte[] bytes = randomBytes(30_000, 12);
        String digest = digest(bytes);
        store.put(digest, HostUpload.of(bytes), bytes.length);

        URI url = store.presignedUrl(digest, Duration.ofMinutes(5)).orElseThrow();

        assertThat(url.getRawQuery()).contains("X-Amz-Expires=300").doesNotContain(S3ProxyServer.SECRET_ACCESS_KEY);
        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(bytes);
    }

    @Test
    void aTtlLongerThanS3CanSignLeavesTheUrlToTheServer() throws IOException {
        S3ArtifactStore store = store(Map.of());

        assertThat(store.presignedUrl(digest(new byte[] {1}), Duration.ofDays(8))).isEmpty();
        assertThatThrownBy(() -> store.presignedUrl(digest(new byte[] {1}), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStoreWhoseEndpointDoesNotListenIsUnavailableWithinItsTimeout() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        S3ArtifactStore store = store(Map.of("endpoint", "http://127.0.0.1:" + port, "timeout", "5s"));
        byte[] bytes = randomBytes(1_000, 13);
        String digest = digest(bytes);
        String expected = "S3 endpoint http://127.0.0.1:" + port + " bucket '" + bucket + "' is unreachable: ";

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertThatThrownBy(() -> store.put(digest, HostUpload.of(bytes), bytes.length))
                    .isInstanceOf(ArtifactStoreUnavailableException.class)
                    .hasMessageStartingWith(expected)
                    .hasMessageNotContaining(S3ProxyServer.SECRET_ACCESS_KEY);
            assertThatThrownBy(() -> store.open(digest))
                    .isInstanceOf(ArtifactStoreUnavailableException.class).hasMessageStartingWith(expected);
            assertThatThrownBy(() -> store.exists(digest))
                    .isInstanceOf(ArtifactStoreUnavailableException.class).hasMessageStartingWith(expected);
        });
    }

    @Test
    void anUploadCutOffByAnS3OutageIsUnavailableAndSucceedsWhenRetriedAfterTheRestart() throws Exception {
        try (S3ProxyServer own = new S3ProxyServer()) {
            own.createBucket(bucket);
            S3ArtifactStore store = track(new S3ArtifactStore(own.config(bucket, Map.of("part-size", "5MiB")),
                    S3ProxyServer.secrets()));
            byte[] bytes = randomBytes(MULTIPART_SIZE, 14);
            String digest = digest(bytes);
            // S3 goes away once the first part was sent, while the second is being read
            HostUpload cutOff = HostUpload.of(bytes).onReaching(6 * MIB, own::stop);

            assertThatThrownBy(() -> store.put(digest, cutOff, bytes.length))
                    .isInstanceOf(ArtifactStoreUnavailableException.class)
                    .hasMessageStartingWith("S3 endpoint " + own.endpoint() + " bucket '" + bucket + "' is unreachable: ");

            own.restart();
            PutResult retried = store.put(digest, HostUpload.of(bytes), bytes.length);

            assertThat(retried).isEqualTo(new PutResult(digest, bytes.length, true));
            assertThat(read(store, digest)).isEqualTo(bytes);
        }
    }

    @Test
    void aSingleRequestUploadCutOffByAnS3RestartIsSentAgainFromWhatWasRead() throws Exception {
        try (S3ProxyServer own = new S3ProxyServer()) {
            own.createBucket(bucket);
            S3ArtifactStore store = track(new S3ArtifactStore(own.config(bucket, Map.of()), S3ProxyServer.secrets()));
            byte[] bytes = randomBytes(3 * MIB, 21);
            String digest = digest(bytes);
            // S3 restarts while the body is on its way: the request in flight is lost, the SDK tries again
            HostUpload upload = HostUpload.of(bytes).onReaching(MIB, () -> {
                own.stop();
                own.restart();
            });

            PutResult result = store.put(digest, upload, bytes.length);

            assertThat(result).isEqualTo(new PutResult(digest, bytes.length, true));
            assertThat(read(store, digest)).isEqualTo(bytes);
        }
    }

    @Test
    void withoutABucketTheStoreIsBuiltButEveryCallNamesTheSettingToSet() {
        S3ArtifactStore store = track(new S3ArtifactStore(new PluginConfig(Map.of()), S3ProxyServer.secrets()));
        String digest = digest(new byte[] {1});

        assertThat(store.kind()).isEqualTo("s3");
        assertThatThrownBy(() -> store.put(digest, HostUpload.of(new byte[] {1}), 1))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessage("plugin.artifact-store-s3.bucket is not set");
        assertThatThrownBy(() -> store.open(digest)).hasMessage("plugin.artifact-store-s3.bucket is not set");
        assertThatThrownBy(() -> store.exists(digest)).hasMessage("plugin.artifact-store-s3.bucket is not set");
    }

    @Test
    void aBucketThatDoesNotExistIsNamedInTheError() {
        S3ArtifactStore store = store(Map.of("bucket", "gantry-no-such-bucket"));
        byte[] bytes = randomBytes(1_000, 15);
        String digest = digest(bytes);
        String expected = "S3 bucket 'gantry-no-such-bucket' does not exist at " + server.endpoint()
                + " (plugin.artifact-store-s3.bucket)";

        assertThatThrownBy(() -> store.put(digest, HostUpload.of(bytes), bytes.length))
                .isInstanceOf(ExtensionFailedException.class).hasMessage(expected);
        assertThatThrownBy(() -> store.open(digest))
                .isInstanceOf(ExtensionFailedException.class).hasMessage(expected);
    }

    @Test
    void wrongCredentialsAreReportedAsAccessDeniedWithoutRepeatingThem() {
        Secrets wrong = (scope, name) -> Optional.of("not-the-secret-access-key");
        S3ArtifactStore store = track(new S3ArtifactStore(server.config(bucket, Map.of()), wrong));
        byte[] bytes = randomBytes(1_000, 16);

        assertThatThrownBy(() -> store.put(digest(bytes), HostUpload.of(bytes), bytes.length))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessageStartingWith("access denied to S3 bucket '" + bucket + "' at " + server.endpoint())
                .hasMessageNotContaining("not-the-secret-access-key");
    }

    @Test
    void aMissingSecretIsNamedInTheError() {
        S3ArtifactStore store = track(new S3ArtifactStore(server.config(bucket, Map.of()), (scope, name) -> Optional.empty()));

        assertThatThrownBy(() -> store.exists(digest(new byte[] {1})))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessageStartingWith("secret 's3-secret-access-key' in scope 'global' (plugin.artifact-store-s3.secret-name) "
                        + "does not exist");
    }

    @ParameterizedTest(name = "first write of {0} bytes")
    @ValueSource(ints = {40_000, MULTIPART_SIZE})
    void aServerWithoutConditionalWritesIsAskedOnceThenCheckedBeforeEachWrite(int firstSize) throws Exception {
        try (ConditionalWritesRefusingProxy proxy = ConditionalWritesRefusingProxy.notImplemented(server.endpoint())) {
            S3ArtifactStore store = store(Map.of("endpoint", proxy.endpoint().toString(), "part-size", "5MiB"));
            byte[] first = randomBytes(firstSize, 17);
            byte[] second = randomBytes(firstSize == MULTIPART_SIZE ? 40_000 : MULTIPART_SIZE, 18);

            PutResult firstResult = store.put(digest(first), HostUpload.of(first), first.length);
            PutResult secondResult = store.put(digest(second), HostUpload.of(second), second.length);
            PutResult again = store.put(digest(first), HostUpload.of(first), first.length);

            assertThat(firstResult.created()).isTrue();
            assertThat(secondResult.created()).isTrue();
            assertThat(again.created()).isFalse();
            assertThat(proxy.refused()).as("requests answered 501").isEqualTo(1);
            assertThat(read(store, digest(first))).isEqualTo(first);
            assertThat(read(store, digest(second))).isEqualTo(second);
            assertThat(server.pendingUploads(bucket)).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1_000, MIB})
    void aWriteWhoseRefusalIsLostFindsTheArtifactStoredByAnotherWriterMeanwhile(int size) throws Exception {
        byte[] bytes = randomBytes(size, 22);
        String digest = digest(bytes);
        byte[] theirs = randomBytes(10, 23);
        server.admin().putObject(request -> request.bucket(bucket).key(key(digest)), RequestBody.fromBytes(theirs));
        try (ConditionalWritesRefusingProxy proxy =
                     ConditionalWritesRefusingProxy.storedByAnotherWriterAfterTheFirstLook(server.endpoint())) {
            S3ArtifactStore store = store(Map.of("endpoint", proxy.endpoint().toString()));
            HostUpload upload = HostUpload.of(bytes);

            PutResult result = store.put(digest, upload, bytes.length);

            assertThat(result).isEqualTo(new PutResult(digest, bytes.length, false));
            assertThat(upload.endReached()).as("the host's check at the end of the upload ran").isTrue();
            assertThat(proxy.refused()).isPositive();
            assertThat(read(store, digest)).isEqualTo(theirs);
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {40_000, MULTIPART_SIZE})
    void aWriteThatConflictedWithAnotherUnfinishedOneIsUnavailableAndLeavesNothingBehind(int size) throws Exception {
        try (ConditionalWritesRefusingProxy proxy = ConditionalWritesRefusingProxy.conflicting(server.endpoint())) {
            S3ArtifactStore store = store(Map.of("endpoint", proxy.endpoint().toString(), "part-size", "5MiB"));
            byte[] bytes = randomBytes(size, 19);
            String digest = digest(bytes);

            assertThatThrownBy(() -> store.put(digest, HostUpload.of(bytes), bytes.length))
                    .isInstanceOf(ArtifactStoreUnavailableException.class)
                    .hasMessageContaining("conflicted with this one; retry");

            assertThat(store.exists(digest)).isFalse();
            assertThat(server.pendingUploads(bucket)).isEmpty();
        }
    }

    @Test
    void aPutOfAStoredDigestStillReportsTheUploadsOwnFailure() throws IOException {
        S3ArtifactStore store = store(Map.of());
        byte[] bytes = randomBytes(1_000, 20);
        String digest = digest(bytes);
        store.put(digest, HostUpload.of(bytes), bytes.length);
        IOException failure = new IOException("digest mismatch");

        assertThatThrownBy(() -> store.put(digest, HostUpload.failingAtEnd(bytes, failure), bytes.length))
                .isSameAs(failure);
        assertThat(read(store, digest)).isEqualTo(bytes);
    }

    private S3ArtifactStore store(Map<String, String> overrides) {
        return track(new S3ArtifactStore(server.config(bucket, overrides), S3ProxyServer.secrets()));
    }

    private S3ArtifactStore track(S3ArtifactStore store) {
        stores.add(store);
        return store;
    }

    private List<String> artifactKeys() {
        // s3proxy's in-memory store keeps the parts of open multipart uploads as objects outside the prefix
        return server.keys(bucket).stream().filter(key -> key.startsWith("artifacts/")).toList();
    }

    private static String key(String digest) {
        return "artifacts/sha256/" + digest.substring("sha256:".length());
    }

    private static byte[] read(S3ArtifactStore store, String digest) throws IOException {
        try (InputStream in = store.open(digest)) {
            return in.readAllBytes();
        }
    }
}
