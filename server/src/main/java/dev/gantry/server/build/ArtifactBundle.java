package dev.gantry.server.build;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A directory packed as a deterministic {@code tar.gz}, so the same commit always yields the same bytes and so the
 * same SHA-256: entries sorted by path, every timestamp the commit's, owner and group 0 with no names, modes
 * normalized to 0755/0644 (directories and executables / the rest), and a gzip header without a time (the JDK's
 * writes zero). The bundle must hold an executable {@code bin/start}.
 */
final class ArtifactBundle {
    private ArtifactBundle() {
    }

    /** Why a directory cannot be an artifact, or empty when it can. */
    static java.util.Optional<String> problem(Path root, String declaredPath) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return java.util.Optional.of("the artifact path '" + declaredPath + "' is not a directory the build produced");
        }
        Path start = root.resolve("bin/start");
        if (!Files.isRegularFile(start, LinkOption.NOFOLLOW_LINKS)) {
            return java.util.Optional.of("the artifact '" + declaredPath + "' has no bin/start (every artifact starts with bin/start)");
        }
        if (!Files.isExecutable(start)) {
            return java.util.Optional.of("'" + declaredPath + "/bin/start' is not executable (chmod +x it in the build)");
        }
        return java.util.Optional.empty();
    }

    static void write(Path root, Instant timestamp, OutputStream out) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = new ArrayList<>(walk.filter(path -> !path.equals(root)).toList());
        }
        paths.sort((a, b) -> name(root, a).compareTo(name(root, b)));
        GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path path : paths) {
                String name = name(root, path);
                TarArchiveEntry entry;
                if (Files.isSymbolicLink(path)) {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(path).toString());
                    entry.setMode(0120777);
                } else if (Files.isDirectory(path)) {
                    entry = new TarArchiveEntry(name + "/");
                    entry.setMode(040755);
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setSize(Files.size(path));
                    entry.setMode(Files.isExecutable(path) ? 0100755 : 0100644);
                }
                entry.setModTime(timestamp.toEpochMilli());
                entry.setUserId(0);
                entry.setGroupId(0);
                entry.setUserName("");
                entry.setGroupName("");
                tar.putArchiveEntry(entry);
                if (entry.isFile()) {
                    Files.copy(path, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    private static String name(Path root, Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }
}
