package dev.gantry.plugins.artifact.s3;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * The host's upload as the store reads it. The host checks the digest when its stream reaches its end, and fails the
 * read there if the bytes are wrong, so this stream makes sure that end is always reached before the last byte is
 * handed on: an HTTP client that stops reading once it has the announced length would otherwise send a complete
 * body the host never got to reject.
 *
 * <p>The first failure is kept and thrown again by every later read, so nothing (an SDK retry, a buffer replay) can
 * read past it and complete a request. A {@linkplain #replayable replayable} stream also keeps what it handed on, so
 * that a request can be sent again once the whole upload was read (and checked). One reader at a time;
 * {@link #close()} leaves the host's stream open, since the host owns it.
 */
final class UploadStream extends InputStream {
    private final InputStream in;
    private final long announced;
    private final boolean keepCopy;
    private byte[] copy;
    private long count;
    private boolean ended;
    private IOException failure;

    /** {@code announced} is the length the host announced, or -1 when unknown. */
    UploadStream(InputStream in, long announced) {
        this(in, announced, false);
    }

    private UploadStream(InputStream in, long announced, boolean keepCopy) {
        this.in = requireNonNull(in, "in is null");
        if (announced < -1) {
            throw new IllegalArgumentException("sizeBytes must be -1 (unknown) or at least 0, got " + announced);
        }
        this.announced = announced;
        this.keepCopy = keepCopy;
    }

    /** A stream of an announced length that keeps a copy of what it hands on, for {@link #bytesRead()}. */
    static UploadStream replayable(InputStream in, long announced) {
        if (announced < 0) {
            throw new IllegalArgumentException("a replayable upload needs its length, got " + announced);
        }
        return new UploadStream(in, announced, true);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        try {
            int wanted = announced < 0 ? length : (int) Math.min(length, announced - count);
            if (wanted == 0) {
                // only when the announced length is 0: nothing to hand on, but the end must still be seen
                expectEnd();
                return -1;
            }
            int n = in.read(buffer, offset, wanted);
            if (n == -1) {
                if (announced >= 0) {
                    throw new IOException("the upload ended after " + count + " of the announced " + announced + " bytes");
                }
                ended = true;
                return -1;
            }
            if (keepCopy) {
                if (copy == null) {
                    copy = new byte[Math.toIntExact(announced)]; // only once there is something to keep
                }
                System.arraycopy(buffer, offset, copy, Math.toIntExact(count), n);
            }
            count += n;
            if (announced >= 0 && count == announced) {
                expectEnd();
            }
            return n;
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    /** Reads on to the end: the host's check runs there, and any byte past the announced length is an error. */
    private void expectEnd() throws IOException {
        if (in.read() != -1) {
            throw new IOException("the upload holds more than the announced " + announced + " bytes");
        }
        ended = true;
    }

    /** Reads and discards the rest of the upload (the host's check still has to see it all); returns its length. */
    long drain() throws IOException {
        transferTo(OutputStream.nullOutputStream());
        return count;
    }

    /** Reads up to {@code buffer.length} bytes; fewer only at the end of the upload. */
    int readChunk(byte[] buffer) throws IOException {
        return readNBytes(buffer, 0, buffer.length);
    }

    /** Bytes read from the host so far. */
    long count() {
        return count;
    }

    /** Reads the rest of a {@linkplain #replayable replayable} upload and returns all of it, sent or not. */
    byte[] readAll() throws IOException {
        drain();
        return bytesRead().orElseThrow(() -> new IllegalStateException("not a replayable upload"));
    }

    /** The whole upload, once a {@linkplain #replayable replayable} stream was read to its end without failing. */
    Optional<byte[]> bytesRead() {
        if (!keepCopy || !ended) {
            return Optional.empty();
        }
        return Optional.of(copy == null ? new byte[0] : copy);
    }

    /** Whether the upload was read to its end without failing (the host's check passed). */
    boolean ended() {
        return ended;
    }

    /** The exception the host's stream (or a length check) threw, exactly as thrown. */
    Optional<IOException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void close() {
        // the host's stream stays open: the host owns it, and an SDK closing its request body must not end it
    }
}
