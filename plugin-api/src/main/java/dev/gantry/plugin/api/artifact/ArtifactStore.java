package dev.gantry.plugin.api.artifact;

import dev.gantry.plugin.api.Experimental;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/**
 * Blobs named by the SHA-256 of their bytes. Append-only: a blob, once written, never changes; writing an existing
 * digest again stores nothing. Digests reach a store already validated and normalized as {@code sha256:<64 lowercase
 * hex>}; a store still refuses anything else, so no name can escape its directory or prefix.
 *
 * <p>The host checks the digest on both paths, so stores never hash: on {@link #put} the stream it hands over fails
 * at its end when the bytes do not match, and it verifies what {@link #open} returns while the caller reads.
 */
@Experimental
public interface ArtifactStore extends ExtensionPoint {
    /** The name the server's {@code artifact.store} setting selects this store by, e.g. {@code fs} or {@code s3}. */
    String kind();

    boolean exists(String digest) throws IOException;

    /**
     * Stores the bytes of {@code bytes} under {@code digest} unless a blob is already there, never replacing one.
     * The blob becomes visible only after the stream was read to its end without failing; when reading fails (a
     * truncated upload, or the host's digest check at the end of the stream) whatever was read is discarded and the
     * failure is rethrown. {@code sizeBytes} is the announced length, or -1 when unknown.
     *
     * @throws ArtifactStoreUnavailableException when the storage cannot be reached; the caller may retry
     */
    PutResult put(String digest, InputStream bytes, long sizeBytes) throws IOException;

    /**
     * The stored bytes, as they are at rest (the host verifies them while they are read).
     *
     * @throws ArtifactNotFoundException when no blob is stored under {@code digest}
     * @throws ArtifactStoreUnavailableException when the storage cannot be reached
     */
    InputStream open(String digest) throws IOException;

    /** Removes the blob; nothing happens when there is none. Only the host's retention job calls this. */
    void delete(String digest) throws IOException;

    /**
     * A URL that fetches the blob without a Gantry token until {@code ttl} has passed, when the store can make one
     * itself (e.g. an S3 presigned URL); otherwise the server signs a URL of its own.
     */
    default Optional<URI> presignedUrl(String digest, Duration ttl) throws IOException {
        return Optional.empty();
    }
}
