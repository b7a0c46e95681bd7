package dev.gantry.plugins.artifact.s3;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Secrets;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An S3 server in this JVM: s3proxy over jclouds' in-memory blob store, on a free port of 127.0.0.1. It can be stopped
 * and started again on the same port with the same contents, as a restarted S3 endpoint would be.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY_ID = "gantry-test";
    static final String SECRET_ACCESS_KEY = "gantry-test-secret-access-key";
    static final String SECRET_NAME = "s3-secret-access-key";

    private final BlobStoreContext blobs;
    private final S3Client admin;
    private S3Proxy proxy;
    private int port;

    S3ProxyServer() throws Exception {
        blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        start(0);
        admin = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    private void start(int requestedPort) throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(blobs.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + requestedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
                .build();
        proxy.start();
        port = proxy.getPort();
    }

    /** Stops listening; the blobs stay. */
    void stop() throws Exception {
        proxy.stop();
    }

    /** Listens again on the same port, with the same blobs. */
    void restart() throws Exception {
        start(port);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** An SDK client of its own, to look at the bucket independently of the store. */
    S3Client admin() {
        return admin;
    }

    void createBucket(String bucket) {
        admin.createBucket(request -> request.bucket(bucket));
    }

    List<String> keys(String bucket) {
        return admin.listObjectsV2Paginator(request -> request.bucket(bucket)).contents().stream()
                .map(S3Object::key).toList();
    }

    List<String> pendingUploads(String bucket) {
        return admin.listMultipartUploads(request -> request.bucket(bucket)).uploads().stream()
                .map(MultipartUpload::key).toList();
    }

    /** The store's settings for {@code bucket} on this server, with {@code overrides} on top. */
    PluginConfig config(String bucket, Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(Map.of(
                "bucket", bucket,
                "endpoint", endpoint().toString(),
                "path-style", "true",
                "access-key-id", ACCESS_KEY_ID,
                "secret-name", SECRET_NAME,
                "timeout", "10s"));
        values.putAll(overrides);
        return new PluginConfig(values);
    }

    static Secrets secrets() {
        return (scope, name) -> scope.equals("global") && name.equals(SECRET_NAME)
                ? Optional.of(SECRET_ACCESS_KEY) : Optional.empty();
    }

    @Override
    public void close() throws Exception {
        try {
            admin.close();
            proxy.stop();
        } finally {
            blobs.close();
        }
    }
}
