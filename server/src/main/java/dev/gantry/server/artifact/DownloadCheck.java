package dev.gantry.server.artifact;

import dev.gantry.plugin.api.artifact.CorruptArtifactException;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * A stored blob as it is read back: it fails with {@link CorruptArtifactException} as soon as it runs longer than
 * the recorded size, and at its end when it is shorter or hashes to anything but its name. {@code onCorrupt} hears
 * of it once, with the reason.
 */
final class DownloadCheck extends HashingInputStream {
    private final ArtifactDigest expected;
    private final long expectedSize;
    private final Consumer<String> onCorrupt;

    DownloadCheck(InputStream in, ArtifactDigest expected, long expectedSize, Consumer<String> onCorrupt) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.onCorrupt = onCorrupt;
    }

    @Override
    void afterRead(long total) throws IOException {
        if (total > expectedSize) {
            throw corrupt("the stored blob is longer than the " + expectedSize + " bytes recorded");
        }
    }

    @Override
    void atEnd(long total, ArtifactDigest actual) throws IOException {
        if (total != expectedSize) {
            throw corrupt("the stored blob has " + total + " bytes, " + expectedSize + " were recorded");
        }
        if (!actual.equals(expected)) {
            throw corrupt("the stored bytes hash to " + actual);
        }
    }

    private CorruptArtifactException corrupt(String reason) {
        onCorrupt.accept(reason);
        return new CorruptArtifactException(expected + " is corrupt: " + reason);
    }
}
