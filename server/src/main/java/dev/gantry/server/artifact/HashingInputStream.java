package dev.gantry.server.artifact;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Hashes what passes through and checks it before the end of the stream is reported: a reader never sees a
 * clean end of bad bytes. Subclasses decide what "bad" means; a failed check fails every later read too.
 */
abstract class HashingInputStream extends FilterInputStream {
    private final MessageDigest sha256;
    private long count;
    private IOException failure;
    private boolean checked;

    HashingInputStream(InputStream in) {
        super(in);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Called as bytes arrive, with the total so far; may fail early (e.g. more bytes than expected). */
    void afterRead(long total) throws IOException {
    }

    /** Called once, at the end of the stream, with the total and the SHA-256 of all the bytes. */
    abstract void atEnd(long total, ArtifactDigest actual) throws IOException;

    /** Whether reading the underlying stream failed (rather than a check at its end). */
    boolean readFailed() {
        return failure != null && !checked;
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int read = read(one, 0, 1);
        return read == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (failure != null) {
            throw failure;
        }
        int read;
        try {
            read = in.read(buffer, offset, length);
            if (read > 0) {
                sha256.update(buffer, offset, read);
                count += read;
                afterRead(count);
            } else if (read == -1 && !checked) {
                checked = true;
                atEnd(count, ArtifactDigest.of(sha256.digest()));
            }
        } catch (IOException e) {
            failure = e;
            throw e;
        }
        return read;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipped bytes must be hashed too
        byte[] buffer = new byte[(int) Math.min(n, 8192)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
