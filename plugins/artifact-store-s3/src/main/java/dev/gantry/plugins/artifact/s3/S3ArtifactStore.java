package dev.gantry.plugins.artifact.s3;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.artifact.ArtifactNotFoundException;
import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.plugin.api.artifact.ArtifactStoreUnavailableException;
import dev.gantry.plugin.api.artifact.PutResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.NonRetryableException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Artifacts in an S3 bucket (AWS, or any S3-compatible server through {@code endpoint}), one object per digest under
 * {@code <prefix>sha256/<64 hex>}. Objects are written once and never replaced: with {@code conditional-writes} each
 * write carries {@code If-None-Match: *}, and a store whose server does not implement that header checks with a
 * HEAD request before writing instead.
 *
 * <p>An upload up to {@code part-size} with a known length is streamed to S3 in one request; anything larger, or of
 * unknown length, is sent in parts of {@code part-size} read into memory, and the multipart upload is completed
 * only after the host's stream ended without failing, that is after the host checked the digest. A failed upload is
 * aborted, so nothing of it becomes visible.
 *
 * <p>The SDK clients are built on first use, so the plugin starts (and the server with it) before the store is
 * configured; one instance serves all threads.
 */
@Extension
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3ArtifactStore.class);
    private static final Pattern DIGEST = Pattern.compile("sha256:([0-9a-f]{64})");
    private static final String CONTENT_TYPE = "application/octet-stream";
    /** The longest a SigV4 presigned URL can be valid. */
    private static final Duration MAX_PRESIGNED_TTL = Duration.ofDays(7);
    /** S3 numbers parts 1 to 10,000. */
    private static final int MAX_PARTS = 10_000;

    private final S3StoreConfig config;
    private final Secrets secrets;
    private final AwsRequestOverrideConfiguration callTimeout;
    private final Object clientsLock = new Object();
    private volatile S3Clients clients;
    private boolean closed;
    /** Set when the server answered 501 to {@code If-None-Match}: from then on, writes check with HEAD first. */
    private final AtomicBoolean conditionalWritesRefused = new AtomicBoolean();

    public S3ArtifactStore(PluginConfig config, Secrets secrets) {
        this.config = S3StoreConfig.from(requireNonNull(config, "config is null"));
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.callTimeout = AwsRequestOverrideConfiguration.builder().apiCallTimeout(this.config.timeout()).build();
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public boolean exists(String digest) throws IOException {
        String key = key(digest);
        return objectExists(clients(), key);
    }

    @Override
    public PutResult put(String digest, InputStream bytes, long sizeBytes) throws IOException {
        String key = key(digest);
        requireNonNull(bytes, "bytes is null");
        UploadStream upload = streamed(sizeBytes) ? UploadStream.replayable(bytes, sizeBytes)
                : new UploadStream(bytes, sizeBytes);
        S3Clients s3 = clients();
        try {
            return write(s3, digest, key, upload, sizeBytes);
        } catch (IOException | RuntimeException e) {
            // the host tells its own digest failure from a storage failure by identity: give back exactly what its
            // stream threw, however the SDK wrapped it on the way
            Optional<IOException> uploadFailure = upload.failure();
            if (uploadFailure.isPresent() && uploadFailure.get() != e) {
                LOG.debug("upload of {} failed while reading the upload; the S3 call ended with {}", digest, e.toString());
                throw uploadFailure.get();
            }
            throw e;
        }
    }

    @Override
    public InputStream open(String digest) throws IOException {
        String key = key(digest);
        try {
            // streamed, not buffered; no call timeout, since the caller reads at its own pace (a stalled transfer
            // still fails after the socket timeout)
            return clients().s3().getObject(request -> request.bucket(bucket()).key(key));
        } catch (NoSuchKeyException e) {
            throw new ArtifactNotFoundException("no artifact " + digest + " in S3 bucket '" + bucket() + "'");
        } catch (SdkException e) {
            throw failure("read " + digest, e);
        }
    }

    @Override
    public void delete(String digest) throws IOException {
        String key = key(digest);
        try {
            // S3 answers 204 whether or not the object was there
            clients().s3().deleteObject(request -> request.bucket(bucket()).key(key).overrideConfiguration(callTimeout));
        } catch (SdkException e) {
            throw failure("delete " + digest, e);
        }
    }

    @Override
    public Optional<URI> presignedUrl(String digest, Duration ttl) throws IOException {
        String key = key(digest);
        requireNonNull(ttl, "ttl is null");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        if (ttl.compareTo(MAX_PRESIGNED_TTL) > 0) {
            return Optional.empty(); // longer than S3 can sign for: the server signs a URL of its own
        }
        try {
            return Optional.of(clients().presigner().presignGetObject(request -> request
                    .signatureDuration(ttl)
                    .getObjectRequest(get -> get.bucket(bucket()).key(key))).url().toURI());
        } catch (SdkException e) {
            throw failure("sign a URL for " + digest, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK signed a URL that is not a URI", e);
        }
    }

    /** Releases the SDK clients; the store cannot be used afterwards. */
    @Override
    public void close() {
        synchronized (clientsLock) {
            closed = true;
            S3Clients current = clients;
            clients = null;
            if (current != null) {
                current.close();
            }
        }
    }

    private PutResult write(S3Clients s3, String digest, String key, UploadStream upload, long sizeBytes)
            throws IOException {
        if (objectExists(s3, key)) {
            // nothing to store, but the host's digest check runs at the end of its stream: read it all
            return new PutResult(digest, upload.drain(), false);
        }
        if (sizeBytes == 0) {
            upload.drain(); // an SDK never reads an empty body, so its end (and the host's check) is reached here
            return putFromMemory(s3, digest, key, new byte[0], 0);
        }
        if (streamed(sizeBytes)) {
            return putStreamed(s3, digest, key, upload, sizeBytes);
        }
        byte[] buffer = new byte[Math.toIntExact(config.partSize())];
        int first = upload.readChunk(buffer);
        if (first < buffer.length) {
            // of unknown length but smaller than a part, and already read to its end (the host's check passed)
            return putFromMemory(s3, digest, key, buffer, first);
        }
        return putMultipart(s3, digest, key, upload, buffer);
    }

    /**
     * One PutObject whose body is the host's stream, read as it is sent. What was read is kept (at most a part, as
     * for a multipart upload), so the request can be sent again, from memory, once the rest of the upload was read
     * (and so checked by the host): by the SDK's retries, or without the condition when the server turns out not to
     * implement it.
     */
    private PutResult putStreamed(S3Clients s3, String digest, String key, UploadStream upload, long sizeBytes)
            throws IOException {
        ContentStreamProvider body = () -> {
            if (upload.count() == 0 && upload.failure().isEmpty()) {
                return upload;
            }
            try {
                return new ByteArrayInputStream(upload.readAll());
            } catch (IOException e) {
                throw NonRetryableException.create("the upload failed after " + upload.count() + " bytes", e);
            }
        };
        boolean conditional = conditionalWrites();
        try {
            s3.s3().putObject(putRequest(key, sizeBytes, conditional),
                    RequestBody.fromContentProvider(body, sizeBytes, CONTENT_TYPE));
            return new PutResult(digest, sizeBytes, true);
        } catch (S3Exception e) {
            if (conditional && isPreconditionFailed(e)) {
                // written meanwhile by someone else; the host still has to see the rest of its upload
                return new PutResult(digest, upload.drain(), false);
            }
            if (conditional && isNotImplemented(e)) {
                refuseConditionalWrites(e);
                byte[] all = upload.readAll();
                return putFromMemory(s3, digest, key, all, all.length);
            }
            if (conditional && isConditionalConflict(e)) {
                requireWrittenByAnother(digest, s3, key, e);
                return new PutResult(digest, upload.drain(), false);
            }
            throw failure("store " + digest, e);
        } catch (SdkException e) {
            if (upload.failure().isEmpty() && storedDespite(e, s3, key)) {
                return new PutResult(digest, upload.drain(), false);
            }
            throw failure("store " + digest, e);
        }
    }

    /** Whether an upload goes to S3 as it is read, in one request: a known length, up to a part. */
    private boolean streamed(long sizeBytes) {
        return sizeBytes > 0 && sizeBytes <= config.partSize();
    }

    /** One PutObject of bytes already read to the end of the upload; replayable, so SDK retries apply. */
    private PutResult putFromMemory(S3Clients s3, String digest, String key, byte[] buffer, int length)
            throws IOException {
        boolean conditional = conditionalWrites();
        if (!conditional && objectExists(s3, key)) {
            return new PutResult(digest, length, false);
        }
        try {
            s3.s3().putObject(putRequest(key, length, conditional), RequestBody.fromContentProvider(
                    () -> new ByteArrayInputStream(buffer, 0, length), length, CONTENT_TYPE));
            return new PutResult(digest, length, true);
        } catch (S3Exception e) {
            if (conditional && isPreconditionFailed(e)) {
                return new PutResult(digest, length, false);
            }
            if (conditional && isNotImplemented(e)) {
                refuseConditionalWrites(e);
                return putFromMemory(s3, digest, key, buffer, length);
            }
            if (conditional && isConditionalConflict(e)) {
                requireWrittenByAnother(digest, s3, key, e);
                return new PutResult(digest, length, false);
            }
            throw failure("store " + digest, e);
        } catch (SdkException e) {
            if (storedDespite(e, s3, key)) {
                return new PutResult(digest, length, false);
            }
            throw failure("store " + digest, e);
        }
    }

    /**
     * Sends the upload in parts, the first already in {@code buffer}. Completes only once the upload was read to its
     * end without failing; on any failure the multipart upload is aborted, so none of its parts stay behind.
     */
    private PutResult putMultipart(S3Clients s3, String digest, String key, UploadStream upload, byte[] buffer)
            throws IOException {
        String uploadId;
        try {
            uploadId = s3.s3().createMultipartUpload(request -> request.bucket(bucket()).key(key)
                    .contentType(CONTENT_TYPE).overrideConfiguration(callTimeout)).uploadId();
        } catch (SdkException e) {
            throw failure("store " + digest, e);
        }
        boolean finished = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int length = buffer.length;
            while (length > 0) {
                int partNumber = parts.size() + 1;
                if (partNumber > MAX_PARTS) {
                    throw new ExtensionFailedException("artifact " + digest + " is larger than S3's 10,000 parts of "
                            + config.partSize() + " bytes; raise " + S3StoreConfig.PREFIX + "part-size");
                }
                parts.add(uploadPart(s3, digest, key, uploadId, partNumber, buffer, length));
                length = upload.readChunk(buffer);
            }
            // the upload ended without failing: the host's digest check passed, the object may become visible
            PutResult result = complete(s3, digest, key, uploadId, parts, upload.count());
            finished = true;
            return result;
        } finally {
            if (!finished) {
                abort(s3, key, uploadId);
            }
        }
    }

    private CompletedPart uploadPart(S3Clients s3, String digest, String key, String uploadId, int partNumber,
            byte[] buffer, int length) throws IOException {
        try {
            String etag = s3.s3().uploadPart(request -> request.bucket(bucket()).key(key).uploadId(uploadId)
                            .partNumber(partNumber).contentLength((long) length).overrideConfiguration(callTimeout),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                            CONTENT_TYPE)).eTag();
            return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
        } catch (SdkException e) {
            throw failure("store " + digest, e);
        }
    }

    /** Completes the multipart upload, or aborts it when the object turned out to exist already. */
    private PutResult complete(S3Clients s3, String digest, String key, String uploadId, List<CompletedPart> parts,
            long size) throws IOException {
        boolean conditional = conditionalWrites();
        if (!conditional && objectExists(s3, key)) {
            abort(s3, key, uploadId);
            return new PutResult(digest, size, false);
        }
        try {
            s3.s3().completeMultipartUpload(request -> request.bucket(bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(upload -> upload.parts(parts))
                    .ifNoneMatch(conditional ? "*" : null)
                    .overrideConfiguration(callTimeout));
            return new PutResult(digest, size, true);
        } catch (S3Exception e) {
            if (conditional && isPreconditionFailed(e)) {
                abort(s3, key, uploadId); // a refused completion leaves the upload open
                return new PutResult(digest, size, false);
            }
            if (conditional && isNotImplemented(e)) {
                refuseConditionalWrites(e);
                return complete(s3, digest, key, uploadId, parts, size);
            }
            if (conditional && isConditionalConflict(e)) {
                requireWrittenByAnother(digest, s3, key, e);
                abort(s3, key, uploadId);
                return new PutResult(digest, size, false);
            }
            throw failure("store " + digest, e);
        } catch (SdkException e) {
            throw failure("store " + digest, e);
        }
    }

    /**
     * S3 answers 409 ConditionalRequestConflict when another conditional write of the same key was in flight. If
     * that one made the object visible there is nothing left to do; otherwise the caller may try again.
     */
    private void requireWrittenByAnother(String digest, S3Clients s3, String key, S3Exception conflict)
            throws IOException {
        if (!objectExists(s3, key)) {
            throw new ArtifactStoreUnavailableException("a concurrent upload of " + digest + " to "
                    + endpointAndBucket() + " conflicted with this one; retry", conflict);
        }
    }

    /**
     * Whether the object is there after a PutObject failed without an answer. A server may refuse an existing object
     * as soon as it has read the request's head and then close the connection under a client still sending the body
     * (s3proxy does), so the refusal never arrives; or the answer to a write that succeeded got lost. Either way the
     * object holds verified bytes of this digest: this upload's own, sent only once read to its end, or another's.
     */
    private boolean storedDespite(SdkException failure, S3Clients s3, String key) {
        if (failure instanceof ApiCallTimeoutException) {
            return false; // asking again would only double the wait
        }
        try {
            return objectExists(s3, key);
        } catch (IOException | RuntimeException e) {
            return false; // the write's own failure says more
        }
    }

    /** Best effort: an upload left open is only storage, and a bucket lifecycle rule can remove it later. */
    private void abort(S3Clients s3, String key, String uploadId) {
        try {
            s3.s3().abortMultipartUpload(request -> request.bucket(bucket()).key(key).uploadId(uploadId)
                    .overrideConfiguration(callTimeout));
        } catch (SdkException e) {
            LOG.warn("could not abort multipart upload {} of {} in S3 bucket '{}': {}", uploadId, key, bucket(),
                    e.getMessage());
        }
    }

    private PutObjectRequest putRequest(String key, long length, boolean conditional) {
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket()).key(key)
                .contentLength(length).contentType(CONTENT_TYPE);
        if (conditional) {
            request.ifNoneMatch("*");
        }
        return request.build();
    }

    private boolean objectExists(S3Clients s3, String key) throws IOException {
        try {
            s3.s3().headObject(request -> request.bucket(bucket()).key(key).overrideConfiguration(callTimeout));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
                return false;
            }
            throw failure("look up " + key, e);
        } catch (SdkException e) {
            throw failure("look up " + key, e);
        }
    }

    /**
     * Whether writes carry {@code If-None-Match: *}. Without it (switched off, or refused by the server), a write is
     * preceded by a HEAD request instead. That leaves a window in which two writers of the same digest both find no
     * object and both write; it is safe because the key is the SHA-256 of the bytes and the host verified them before
     * anything became visible, so the only possible "overwrite" replaces an object with identical bytes.
     */
    private boolean conditionalWrites() {
        return config.conditionalWrites() && !conditionalWritesRefused.get();
    }

    private void refuseConditionalWrites(S3Exception e) {
        if (conditionalWritesRefused.compareAndSet(false, true)) {
            LOG.warn("{} answered {} {} to If-None-Match; checking for existing objects before writing instead "
                    + "(set {}conditional-writes=false to skip the attempt)", endpointAndBucket(), e.statusCode(),
                    errorCode(e), S3StoreConfig.PREFIX);
        }
    }

    private static boolean isPreconditionFailed(S3Exception e) {
        return e.statusCode() == 412;
    }

    private static boolean isNotImplemented(S3Exception e) {
        return e.statusCode() == 501;
    }

    private static boolean isConditionalConflict(S3Exception e) {
        return e.statusCode() == 409 && "ConditionalRequestConflict".equals(errorCode(e));
    }

    /**
     * The exception for a failed call: {@link ArtifactStoreUnavailableException} (returned) when it may pass, an
     * {@link ExtensionFailedException} (thrown) when a person has to act, an {@link InterruptedIOException}
     * (returned) when the calling thread was interrupted. Messages never carry credentials.
     */
    private IOException failure(String action, SdkException e) {
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = errorCode(service);
            // NoSuchUpload: the multipart upload was aborted meanwhile (a lifecycle rule, another replica's cleanup)
            if (status >= 500 || status == 429 || "SlowDown".equals(code) || "RequestTimeout".equals(code)
                    || "NoSuchUpload".equals(code)) {
                return new ArtifactStoreUnavailableException(endpointAndBucket() + " is unavailable: it answered "
                        + status + (code.isEmpty() ? "" : " " + code) + " to " + action, e);
            }
            if ("NoSuchBucket".equals(code)) {
                throw new ExtensionFailedException("S3 bucket '" + bucket() + "' does not exist at "
                        + config.describeEndpoint() + " (" + S3StoreConfig.PREFIX + "bucket)", e);
            }
            if (status == 403) {
                // the error code only: a signature error's message repeats what was signed
                throw new ExtensionFailedException("access denied to S3 bucket '" + bucket() + "' at "
                        + config.describeEndpoint() + (code.isEmpty() ? "" : " (" + code + ")")
                        + ": check the credentials and the bucket's policy", e);
            }
            if (status == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)) {
                throw new ExtensionFailedException("S3 bucket '" + bucket() + "' is not in region '" + config.region()
                        + "' (" + (code.isEmpty() ? status : code) + "); set " + S3StoreConfig.PREFIX + "region", e);
            }
            String message = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
            throw new ExtensionFailedException(endpointAndBucket() + " refused to " + action + ": " + status
                    + (code.isEmpty() ? "" : " " + code) + (message == null ? "" : " " + message), e);
        }
        if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while trying to " + action
                    + " at " + endpointAndBucket());
            interrupted.initCause(e);
            return interrupted;
        }
        if (e.getMessage() != null && e.getMessage().startsWith("Unable to load credentials")) {
            throw new ExtensionFailedException("no AWS credentials for S3 bucket '" + bucket() + "': set "
                    + S3StoreConfig.PREFIX + "access-key-id and " + S3StoreConfig.PREFIX + "secret-name, or provide "
                    + "them to the server as the AWS SDK expects (environment, profile, container or instance role)", e);
        }
        return new ArtifactStoreUnavailableException(endpointAndBucket() + " is unreachable: " + reason(e), e);
    }

    private String reason(SdkException e) {
        if (e instanceof ApiCallTimeoutException) {
            return "no answer within " + config.timeout().toMillis() + " ms (" + S3StoreConfig.PREFIX + "timeout)";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        if (root instanceof SocketTimeoutException) {
            return "no answer within " + config.timeout().toMillis() + " ms (" + S3StoreConfig.PREFIX + "timeout)";
        }
        if (root instanceof ConnectException || root.getMessage() != null) {
            return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        }
        return root.getClass().getSimpleName();
    }

    private String endpointAndBucket() {
        return "S3 endpoint " + config.describeEndpoint() + " bucket '" + bucket() + "'";
    }

    private static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : e.awsErrorDetails().errorCode();
    }

    /** The object key of a digest; anything but {@code sha256:<64 lowercase hex>} is refused, so keys stay under the prefix. */
    private String key(String digest) {
        requireNonNull(digest, "digest is null");
        Matcher matcher = DIGEST.matcher(digest);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a digest: expected sha256:<64 lowercase hex>");
        }
        return config.prefix() + "sha256/" + matcher.group(1);
    }

    private String bucket() {
        return config.bucket().orElseThrow(() -> new ExtensionFailedException(S3StoreConfig.PREFIX + "bucket is not set"));
    }

    private S3Clients clients() {
        bucket(); // before anything is built: the setting to fix is the first thing to say
        S3Clients current = clients;
        if (current != null) {
            return current;
        }
        synchronized (clientsLock) {
            if (closed) {
                throw new IllegalStateException("the S3 artifact store was closed");
            }
            if (clients == null) {
                clients = S3Clients.create(config, secrets);
            }
            return clients;
        }
    }
}
