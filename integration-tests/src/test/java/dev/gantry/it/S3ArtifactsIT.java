package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.server.testing.Api;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The distribution with {@code artifact.store=s3} against a real S3 server (s3proxy on loopback): uploads land in
 * the bucket, presigned URLs serve them, an object replaced behind Gantry's back is caught, and an S3 outage in the
 * middle of an upload is a clear 503 after which a retry succeeds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class S3ArtifactsIT {
    private static final String BUCKET = "gantry-it";
    private static final String ACCESS_KEY = "gantry-it";
    private static final String SECRET_KEY = "gantry-it-secret-access-key";
    private static final int MIB = 1024 * 1024;

    private final Random random = new Random(3);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private BlobStoreContext blobs;
    private S3Proxy s3;
    private int s3Port;
    private S3Client bucket;
    private GantryProcess gantry;
    private Api api;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws Exception {
        blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential").build(BlobStoreContext.class);
        startS3(0);
        bucket = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(URI.create("http://127.0.0.1:" + s3Port))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        bucket.createBucket(request -> request.bucket(BUCKET));

        Path config = workDir.resolve("gantry.properties");
        Files.writeString(config, String.join("\n",
                "artifact.store=s3",
                "plugin.artifact-store-s3.bucket=" + BUCKET,
                "plugin.artifact-store-s3.endpoint=http://127.0.0.1:" + s3Port,
                "plugin.artifact-store-s3.path-style=true",
                "plugin.artifact-store-s3.access-key-id=" + ACCESS_KEY,
                "plugin.artifact-store-s3.secret-name=s3-secret-access-key",
                "plugin.artifact-store-s3.part-size=5MiB",
                // generous: on a busy machine a 5 MiB part to the in-process S3 server can take seconds; the outage
                // test needs no timeout (a stopped server refuses connections)
                "plugin.artifact-store-s3.timeout=30s", ""));
        gantry = GantryProcess.start(workDir, Map.of(), List.of("--config", config.toString()));
        try {
            gantry.awaitReady(Duration.ofSeconds(120));
        } catch (AssertionError | RuntimeException e) {
            gantry.close();
            throw e;
        }
        api = new Api(gantry.url());
        Api.Reply secret = api.method("PUT", "/api/secrets", GantryProcess.ADMIN_TOKEN,
                "{\"scope\":\"global\",\"name\":\"s3-secret-access-key\",\"value\":\"" + SECRET_KEY + "\"}");
        assertThat(secret.status()).as(secret.body()).isEqualTo(200);
    }

    private void startS3(int port) throws Exception {
        s3 = S3Proxy.builder()
                .blobStore(blobs.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        s3.start();
        s3Port = s3.getPort();
    }

    @AfterAll
    void stop() throws Exception {
        if (gantry != null) {
            gantry.close();
        }
        if (bucket != null) {
            bucket.close();
        }
        s3.stop();
        blobs.close();
    }

    @Test
    void uploadsLandInTheBucketAndComeBackThroughGantryAndPresignedUrls() throws Exception {
        for (int size : List.of(200_000, 12 * MIB)) { // one request, and a multipart upload
            byte[] bytes = randomBytes(size);
            String digest = ArtifactApiIT.sha256(bytes);

            HttpResponse<String> created = put(digest, bytes);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            HttpResponse<String> again = put(digest, bytes);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);

            assertThat(keys()).contains("artifacts/sha256/" + digest.substring(7));
            assertThat(get(URI.create(gantry.url() + "api/artifacts/" + digest + "/blob"), true).body()).isEqualTo(bytes);
            String url = api.get("/api/artifacts/" + digest, GantryProcess.ADMIN_TOKEN).json().get("download_url").asText();
            assertThat(URI.create(url).getPort()).as("an S3 presigned URL, not a Gantry one").isEqualTo(s3Port);
            assertThat(get(URI.create(url), false).body()).isEqualTo(bytes);
        }
        assertThat(bucket.listMultipartUploads(request -> request.bucket(BUCKET)).uploads()).isEmpty();
    }

    @Test
    void anObjectReplacedInTheBucketIsNeverServedAsTheArtifact() throws Exception {
        byte[] bytes = randomBytes(100_000);
        String digest = ArtifactApiIT.sha256(bytes);
        assertThat(put(digest, bytes).statusCode()).isEqualTo(201);
        bucket.putObject(request -> request.bucket(BUCKET).key("artifacts/sha256/" + digest.substring(7)),
                RequestBody.fromBytes(randomBytes(100_000)));

        HttpResponse<byte[]> refused = get(URI.create(gantry.url() + "api/artifacts/" + digest + "/blob"), true);

        assertThat(refused.statusCode()).isEqualTo(409);
        JsonNode metadata = api.get("/api/artifacts/" + digest, GantryProcess.ADMIN_TOKEN).json();
        assertThat(metadata.get("state").asText()).isEqualTo("corrupt");
        assertThat(api.get("/api/audit?action=artifact.corrupt&target=" + digest, GantryProcess.ADMIN_TOKEN).json()
                .get("entries")).hasSize(1);
    }

    @Test
    void anS3OutageInTheMiddleOfAnUploadIsA503AndTheRetrySucceeds() throws Exception {
        byte[] bytes = randomBytes(10 * MIB + MIB / 2);
        String digest = ArtifactApiIT.sha256(bytes);
        CountDownLatch halfSent = new CountDownLatch(1);
        CountDownLatch s3Stopped = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> upload = http.sendAsync(HttpRequest.newBuilder(
                                URI.create(gantry.url() + "api/artifacts/" + digest))
                        .header("Authorization", "Bearer " + GantryProcess.ADMIN_TOKEN)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new PausingStream(bytes, 6 * MIB, halfSent, s3Stopped)), bytes.length))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(halfSent.await(60, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (bucket.listMultipartUploads(request -> request.bucket(BUCKET)).uploads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50); // until the store has begun its multipart upload
        }
        s3.stop();
        s3Stopped.countDown();

        HttpResponse<String> failed = upload.get(60, TimeUnit.SECONDS);
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
        JsonNode error = new ObjectMapper().readTree(failed.body());
        assertThat(error.get("error").asText()).isEqualTo("artifact_store_unavailable");
        assertThat(error.get("message").asText()).contains("retry");
        assertThat(api.get("/api/artifacts/" + digest, GantryProcess.ADMIN_TOKEN).status()).isEqualTo(404);

        startS3(s3Port);
        assertThat(keys()).doesNotContain("artifacts/sha256/" + digest.substring(7));
        assertThat(put(digest, bytes).statusCode()).isEqualTo(201);
        assertThat(get(URI.create(gantry.url() + "api/artifacts/" + digest + "/blob"), true).body()).isEqualTo(bytes);
    }

    /** The body of an upload that stops after {@code pauseAt} bytes until told to go on. */
    private static final class PausingStream extends InputStream {
        private final byte[] bytes;
        private final int pauseAt;
        private final CountDownLatch paused;
        private final CountDownLatch resume;
        private int position;

        PausingStream(byte[] bytes, int pauseAt, CountDownLatch paused, CountDownLatch resume) {
            this.bytes = bytes;
            this.pauseAt = pauseAt;
            this.paused = paused;
            this.resume = resume;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= bytes.length) {
                return -1;
            }
            if (position == pauseAt) {
                paused.countDown();
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            int limit = position < pauseAt ? pauseAt : bytes.length;
            int count = Math.min(length, limit - position);
            System.arraycopy(bytes, position, buffer, offset, count);
            position += count;
            return count;
        }
    }

    private List<String> keys() {
        return bucket.listObjectsV2Paginator(request -> request.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
    }

    private HttpResponse<String> put(String digest, byte[] bytes) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(gantry.url() + "api/artifacts/" + digest))
                .header("Authorization", "Bearer " + GantryProcess.ADMIN_TOKEN)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> get(URI uri, boolean withToken) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (withToken) {
            request.header("Authorization", "Bearer " + GantryProcess.ADMIN_TOKEN);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}
