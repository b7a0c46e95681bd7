package dev.gantry.plugin.api.artifact;

import dev.gantry.plugin.api.Experimental;
import java.io.IOException;
import java.io.InputStream;
import org.pf4j.ExtensionPoint;

/**
 * Blobs named by the SHA-256 of their bytes ({@code sha256:<64 hex>}). Append-only: a blob, once written, never
 * changes; writing an existing digest again is a no-op.
 */
@Experimental
public interface ArtifactStore extends ExtensionPoint {
    /** The name the server's configuration selects this store by, e.g. {@code fs} or {@code s3}. */
    String kind();

    boolean exists(String digest) throws IOException;

    /**
     * Stores the bytes under {@code digest} if their SHA-256 matches; nothing becomes visible when it does not or
     * the stream fails.
     */
    PutResult put(String digest, InputStream bytes) throws IOException;

    /** The bytes; the stream fails with {@link CorruptArtifactException} if they no longer match the digest. */
    InputStream open(String digest) throws IOException;
}
