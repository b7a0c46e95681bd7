package dev.gantry.plugins.artifact.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What the test server (s3proxy 2.9.0) does with {@code If-None-Match: *}, which decides what the store's tests can
 * show: PutObject is refused with 412 when the object exists (s3proxy checks, then writes: not atomic), while
 * CompleteMultipartUpload ignores the header and replaces the object. AWS S3 refuses both.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TestS3ProxyConditionalWrites {
    private static final String BUCKET = "gantry-conditional-writes";
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3ProxyServer();
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void putObjectIsRefusedWith412WhenTheObjectExists() throws IOException {
        S3Client s3 = server.admin();
        s3.putObject(request -> request.bucket(BUCKET).key("put").ifNoneMatch("*"), RequestBody.fromBytes(new byte[] {1}));

        assertThatThrownBy(() -> s3.putObject(request -> request.bucket(BUCKET).key("put").ifNoneMatch("*"),
                RequestBody.fromBytes(new byte[] {2})))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
        assertThat(read(s3, "put")).containsExactly(1);
    }

    @Test
    void completeMultipartUploadIgnoresTheConditionAndReplacesTheObject() throws IOException {
        S3Client s3 = server.admin();
        s3.putObject(request -> request.bucket(BUCKET).key("complete"), RequestBody.fromBytes(new byte[] {1}));
        String uploadId = s3.createMultipartUpload(request -> request.bucket(BUCKET).key("complete")).uploadId();
        String etag = s3.uploadPart(request -> request.bucket(BUCKET).key("complete").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(new byte[] {2})).eTag();

        s3.completeMultipartUpload(request -> request.bucket(BUCKET).key("complete").uploadId(uploadId).ifNoneMatch("*")
                .multipartUpload(upload -> upload.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));

        assertThat(read(s3, "complete")).containsExactly(2);
    }

    private static byte[] read(S3Client s3, String key) throws IOException {
        try (InputStream in = s3.getObject(request -> request.bucket(BUCKET).key(key))) {
            return in.readAllBytes();
        }
    }
}
