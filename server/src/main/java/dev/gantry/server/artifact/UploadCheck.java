package dev.gantry.server.artifact;

import java.io.IOException;
import java.io.InputStream;

/**
 * The upload as the store reads it: it ends cleanly only when the bytes hash to the name they were sent under and
 * there is at least one. Afterwards {@link #outcome()} tells why a store's put failed, whatever the store made of
 * the exception.
 */
final class UploadCheck extends HashingInputStream {
    enum Outcome { INCOMPLETE, EMPTY, MISMATCH, MATCHED }

    private final ArtifactDigest expected;
    private volatile Outcome outcome = Outcome.INCOMPLETE;
    private volatile ArtifactDigest actual;

    UploadCheck(InputStream in, ArtifactDigest expected) {
        super(in);
        this.expected = expected;
    }

    @Override
    void atEnd(long total, ArtifactDigest actual) throws IOException {
        this.actual = actual;
        if (total == 0) {
            outcome = Outcome.EMPTY;
            throw new IOException("the upload is empty");
        }
        if (!actual.equals(expected)) {
            outcome = Outcome.MISMATCH;
            throw new IOException("the upload's bytes hash to " + actual + ", not " + expected);
        }
        outcome = Outcome.MATCHED;
    }

    Outcome outcome() {
        return outcome;
    }

    ArtifactDigest actual() {
        return actual;
    }

    long bytesRead() {
        return count();
    }
}
