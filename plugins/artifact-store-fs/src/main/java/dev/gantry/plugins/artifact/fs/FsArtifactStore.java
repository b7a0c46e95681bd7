package dev.gantry.plugins.artifact.fs;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.artifact.ArtifactNotFoundException;
import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.plugin.api.artifact.PutResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gantry's default artifact store: each blob is a file {@code <root>/sha256/<first two hex>/<64 hex>}. A blob is
 * written to a temporary file in {@code <root>/tmp/}, synced, and hard-linked into place: a link never replaces an
 * existing file, so a blob once visible never changes and concurrent writers of one digest cannot clash, and an
 * upload that fails halfway leaves only a temporary file that is removed.
 *
 * <p>The root is {@code plugin.artifact-store-fs.path}, by default the plugin's directory under the data directory.
 */
@Extension
public final class FsArtifactStore implements ArtifactStore {
    private static final Logger log = LoggerFactory.getLogger(FsArtifactStore.class);
    private static final Pattern DIGEST = Pattern.compile("sha256:([0-9a-f]{64})");
    private static final int BUFFER_SIZE = 1 << 20;
    /** Temporary files older than this are left over from a stopped server, not from an upload in progress. */
    private static final Duration ABANDONED_AFTER = Duration.ofHours(6);

    private final Path root;
    private final Path blobs;
    private final Path temporary;

    public FsArtifactStore(PluginContext context) {
        requireNonNull(context, "context is null");
        this.root = context.config().get("path").map(Path::of).map(Path::toAbsolutePath)
                .orElseGet(context::dataDirectory);
        this.blobs = root.resolve("sha256");
        this.temporary = root.resolve("tmp");
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(temporary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the artifact directory " + root
                    + " (plugin.artifact-store-fs.path): " + e.getMessage(), e);
        }
        removeAbandonedUploads(context.clock());
    }

    @Override
    public String kind() {
        return "fs";
    }

    @Override
    public boolean exists(String digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    @Override
    public PutResult put(String digest, InputStream bytes, long sizeBytes) throws IOException {
        Path target = blobPath(digest);
        if (Files.isRegularFile(target)) {
            // read it all the same: the caller's stream checks the digest only once it reaches its end
            bytes.transferTo(OutputStream.nullOutputStream());
            return new PutResult(digest, Files.size(target), false);
        }
        Path part = Files.createTempFile(temporary, digest.substring(7, 19) + ".", ".part");
        try {
            long written = copy(bytes, part);
            Files.createDirectories(target.getParent());
            try {
                Files.createLink(target, part);
            } catch (FileAlreadyExistsException concurrentWriter) {
                return new PutResult(digest, written, false);
            }
            syncDirectory(target.getParent());
            return new PutResult(digest, written, true);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * Copies the upload into {@code file} and syncs it. An upload longer than one buffer is written by a thread of
     * its own while this one receives (and, through the host's stream, hashes) what follows, so the two take about
     * as long as the slower of them rather than their sum. The stream fails at its end when the digest does not
     * match, and then nothing is linked: whatever was written goes with the temporary file.
     */
    private static long copy(InputStream in, Path file) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            byte[] first = new byte[BUFFER_SIZE];
            int read = in.readNBytes(first, 0, first.length);
            long written = read;
            if (read < first.length) {
                // the whole upload, read to its end (and so checked): no thread needed
                writeFully(out, first, read);
            } else {
                try (BlobWriter writer = new BlobWriter(out, file.getFileName().toString())) {
                    byte[] buffer = first;
                    while (read > 0) {
                        writer.write(buffer, read);
                        buffer = writer.emptyBuffer();
                        read = in.readNBytes(buffer, 0, buffer.length);
                        written += read;
                    }
                    writer.finish();
                }
            }
            // on disk before it becomes visible: metadata saying "stored" must never outlive the bytes after a crash
            out.force(false);
            return written;
        }
    }

    private static void writeFully(FileChannel out, byte[] buffer, int length) throws IOException {
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, length);
        while (chunk.hasRemaining()) {
            out.write(chunk);
        }
    }

    /**
     * Writes the buffers it is handed to a file, in order, on a thread of its own; at most {@link #BUFFERS} are in
     * flight, so an upload holds a few MiB of heap whatever its size. Every {@link #SYNC_EVERY} bytes a second
     * thread syncs what is written so far, so that the disk works while the file grows and the sync before the
     * link has only the tail left to wait for. A failure is reported on the next hand-over; {@link #close} without
     * {@link #finish} abandons what is still queued and waits for both threads.
     */
    private static final class BlobWriter implements AutoCloseable {
        private static final int BUFFERS = 4;
        private static final long SYNC_EVERY = 64L << 20;
        private static final Chunk END = new Chunk(new byte[0], 0);

        private record Chunk(byte[] buffer, int length) {
        }

        private final FileChannel out;
        private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
        private final BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(BUFFERS);
        private final Semaphore syncRequests = new Semaphore(0);
        private final Thread writer;
        private final Thread syncer;
        private int allocated = 1;
        private volatile IOException failure;
        private volatile boolean abandoned;
        private volatile boolean writing = true;
        private boolean ended;

        BlobWriter(FileChannel out, String name) {
            this.out = out;
            this.writer = new Thread(this::writeQueued, "artifact-store-fs writer " + name);
            this.syncer = new Thread(this::syncPeriodically, "artifact-store-fs syncer " + name);
            writer.setDaemon(true);
            syncer.setDaemon(true);
            writer.start();
            syncer.start();
        }

        void write(byte[] buffer, int length) throws IOException {
            throwIfFailed();
            full.add(new Chunk(buffer, length));
        }

        /** A buffer to fill: a new one while fewer than {@link #BUFFERS} exist, else the next one written. */
        byte[] emptyBuffer() throws IOException {
            byte[] buffer = empty.poll();
            if (buffer == null && allocated < BUFFERS) {
                allocated++;
                return new byte[BUFFER_SIZE];
            }
            while (buffer == null) {
                throwIfFailed();
                try {
                    buffer = empty.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the upload was being written");
                }
            }
            return buffer;
        }

        /** Waits until everything handed over is written; throws what the writing thread met. */
        void finish() throws IOException {
            end();
            throwIfFailed();
        }

        @Override
        public void close() {
            if (!ended) {
                abandoned = true;
                end();
            }
        }

        private void end() {
            ended = true;
            full.add(END);
            boolean interrupted = awaitEnd(writer);
            writing = false;
            syncRequests.release();
            interrupted |= awaitEnd(syncer);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits for the thread to end, even when interrupted: the file must not be closed under it. */
        private static boolean awaitEnd(Thread thread) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return interrupted;
        }

        private void throwIfFailed() throws IOException {
            if (failure != null) {
                throw new IOException("writing the upload failed: " + failure.getMessage(), failure);
            }
        }

        private void writeQueued() {
            long unsynced = 0;
            try {
                for (Chunk chunk; (chunk = full.take()) != END; ) {
                    if (failure == null && !abandoned) {
                        try {
                            writeFully(out, chunk.buffer(), chunk.length());
                            unsynced += chunk.length();
                            if (unsynced >= SYNC_EVERY) {
                                unsynced = 0;
                                syncRequests.release();
                            }
                        } catch (IOException e) {
                            failure = e;
                        }
                    }
                    // returned even after a failure, so the reading thread never waits for a buffer in vain
                    empty.add(chunk.buffer());
                }
            } catch (InterruptedException e) {
                failure = new InterruptedIOException("the writing thread was interrupted");
            } catch (RuntimeException | Error e) {
                // the reading thread stops at its next hand-over, as it waits for no buffer from here
                failure = new IOException(e.toString(), e);
                throw e;
            }
        }

        private void syncPeriodically() {
            try {
                while (true) {
                    syncRequests.acquire();
                    syncRequests.drainPermits();
                    if (!writing || abandoned || failure != null) {
                        return;
                    }
                    out.force(false);
                }
            } catch (InterruptedException e) {
                failure = new InterruptedIOException("the syncing thread was interrupted");
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    @Override
    public InputStream open(String digest) throws IOException {
        try {
            return Files.newInputStream(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw new ArtifactNotFoundException("no blob for " + digest + " in " + root);
        }
    }

    @Override
    public void delete(String digest) throws IOException {
        Files.deleteIfExists(blobPath(digest));
    }

    /** The blob's file; only a well-formed digest gets one, so no name can point outside the store. */
    Path blobPath(String digest) {
        Matcher matcher = DIGEST.matcher(requireNonNull(digest, "digest is null"));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a digest: expected sha256:<64 lowercase hex>");
        }
        String hex = matcher.group(1);
        return blobs.resolve(hex.substring(0, 2)).resolve(hex);
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some filesystems cannot sync a directory; the file itself is synced already
            log.debug("cannot sync directory {}: {}", directory, e.getMessage());
        }
    }

    private void removeAbandonedUploads(Clock clock) {
        FileTime cutoff = FileTime.from(clock.instant().minus(ABANDONED_AFTER));
        try (Stream<Path> files = Files.list(temporary)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".part")).toList()) {
                if (Files.getLastModifiedTime(file).compareTo(cutoff) < 0) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            log.warn("cannot clean abandoned uploads in {}: {}", temporary, e.getMessage());
        }
    }
}
