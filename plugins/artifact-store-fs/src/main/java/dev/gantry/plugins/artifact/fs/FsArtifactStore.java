package dev.gantry.plugins.artifact.fs;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.artifact.ArtifactNotFoundException;
import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.plugin.api.artifact.PutResult;
import java.io.IOException;
import java.io.InputStream;
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

    private static long copy(InputStream in, Path file) throws IOException {
        long written = 0;
        byte[] buffer = new byte[BUFFER_SIZE];
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int read; (read = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                written += read;
            }
            // on disk before it becomes visible: metadata saying "stored" must never outlive the bytes after a crash
            out.force(false);
        }
        return written;
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
