package dev.gantry.plugins.artifact.s3;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * An upload as the host hands it to a store: the bytes, then the end of the stream, where the host's digest check
 * runs. It can fail instead, at the end (the digest did not match) or part-way (the client's upload broke off), and
 * it records whether its end was reached.
 */
final class HostUpload extends InputStream {
    private final byte[] bytes;
    private final int failAt;
    private final IOException failure;
    private int position;
    private volatile boolean endReached;
    private int hookAt = -1;
    private Hook hook;

    /** Something the world does while the upload is being read. */
    @FunctionalInterface
    interface Hook {
        void run() throws Exception;
    }

    private HostUpload(byte[] bytes, int failAt, IOException failure) {
        this.bytes = bytes;
        this.failAt = failAt;
        this.failure = failure;
    }

    static HostUpload of(byte[] bytes) {
        return new HostUpload(bytes, -1, null);
    }

    /** Hands over all bytes, then throws {@code failure} where the end would be, as the host does for a wrong digest. */
    static HostUpload failingAtEnd(byte[] bytes, IOException failure) {
        return new HostUpload(bytes, bytes.length, failure);
    }

    /** Hands over the first {@code count} bytes, then throws {@code failure}, as a broken-off upload does. */
    static HostUpload failingAfter(byte[] bytes, int count, IOException failure) {
        return new HostUpload(bytes, count, failure);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String digest(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code hook} once, when the first {@code position} bytes have been read and before any more are. */
    HostUpload onReaching(int position, Hook hook) {
        this.hookAt = position;
        this.hook = hook;
        return this;
    }

    boolean endReached() {
        return endReached;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (hook != null && position >= hookAt) {
            Hook once = hook;
            hook = null;
            try {
                once.run();
            } catch (Exception e) {
                throw new AssertionError("the test's hook failed", e);
            }
        }
        if (hook != null) {
            length = Math.min(length, hookAt - position); // stop at the hook's position
        }
        if (failure != null && position == failAt) {
            throw failure;
        }
        int limit = failure != null ? failAt : bytes.length;
        if (position == limit) {
            endReached = true;
            return -1;
        }
        int n = Math.min(length, limit - position);
        System.arraycopy(bytes, position, buffer, offset, n);
        position += n;
        return n;
    }
}
