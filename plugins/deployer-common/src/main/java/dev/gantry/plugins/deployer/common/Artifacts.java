package dev.gantry.plugins.deployer.common;

import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.VersionSpec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacked artifacts, {@code <data dir>/artifacts/<64 hex>/}, one per digest and shared by every version and target
 * that runs it. An artifact is downloaded to a temporary file while its SHA-256 is computed, refused when that differs
 * from the digest it was asked for, and unpacked into a temporary directory that is renamed into place in one step: a
 * directory under its digest's name is always complete and verified, so it is reused as it is.
 */
public final class Artifacts {
    private static final Logger log = LoggerFactory.getLogger(Artifacts.class);
    /** How long the artifact server may take to start answering; the body then streams as long as it takes. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(1);

    private final Path root;
    private final Path temporary;
    private final HttpClient httpClient;

    public Artifacts(Path dataDirectory, HttpClient httpClient) {
        this.root = dataDirectory.resolve("artifacts").toAbsolutePath().normalize();
        this.temporary = root.resolve(".tmp");
        this.httpClient = httpClient;
    }

    /** The 64 lowercase hex digits of {@code sha256:<hex>} (or of bare hex, as Gantry's API accepts too). */
    public static String hex(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        hex = hex.toLowerCase(Locale.ROOT);
        if (hex.length() != 64 || !hex.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            throw new DeployerException("'" + digest + "' is not an artifact digest: expected sha256:<64 hex digits>");
        }
        return hex;
    }

    /** The directory of the version's artifact, downloaded, verified and unpacked first unless it already is. */
    public Path prepare(VersionSpec version) {
        String hex = hex(version.artifactDigest());
        Path directory = root.resolve(hex);
        if (Files.isRegularFile(directory.resolve("bin/start"), LinkOption.NOFOLLOW_LINKS)) {
            return directory;
        }
        Path download = null;
        Path unpacked = null;
        try {
            Files.createDirectories(temporary);
            String unique = hex.substring(0, 12) + "." + UUID.randomUUID();
            download = temporary.resolve(unique + ".tar.gz");
            String actual = download(version.downloadUrl(), download);
            if (!actual.equals(hex)) {
                throw new DeployerException("the artifact sha256:" + hex + " of version " + version.version()
                        + " is corrupt: the bytes downloaded hash to sha256:" + actual + "; refused, nothing was started");
            }
            unpacked = temporary.resolve(unique);
            Files.createDirectories(unpacked);
            unpack(download, unpacked, hex);
            Path start = unpacked.resolve("bin/start");
            if (!Files.isRegularFile(start, LinkOption.NOFOLLOW_LINKS)) {
                throw new DeployerException("the artifact sha256:" + hex + " has no bin/start at its root; "
                        + "every artifact starts with bin/start");
            }
            if (!Files.isExecutable(start)) {
                throw new DeployerException("bin/start in the artifact sha256:" + hex + " is not executable");
            }
            try {
                Files.move(unpacked, directory, StandardCopyOption.ATOMIC_MOVE);
                log.info("unpacked artifact sha256:{} into {}", hex, directory);
            } catch (FileSystemException concurrentDeploy) {
                // another deploy of the same digest got there first: its copy is as good as ours. Renaming onto its
                // directory fails with ENOTEMPTY, which the JDK reports as a plain FileSystemException
                if (!Files.isRegularFile(directory.resolve("bin/start"), LinkOption.NOFOLLOW_LINKS)) {
                    throw concurrentDeploy;
                }
                log.debug("artifact sha256:{} was unpacked concurrently", hex);
            }
            return directory;
        } catch (IOException e) {
            throw new DeployerException("cannot prepare the artifact sha256:" + hex + " of version " + version.version()
                    + ": " + e.getMessage(), e);
        } finally {
            if (download != null) {
                Files2.deleteQuietly(download);
            }
            if (unpacked != null) {
                Files2.deleteQuietly(unpacked);
            }
        }
    }

    /** Streams the artifact to {@code file}; returns the SHA-256 of what arrived, in hex. */
    private String download(URI url, Path file) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(RESPONSE_TIMEOUT)
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = httpClient.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployerException("interrupted while downloading an artifact from " + describe(url));
        } catch (IOException e) {
            throw new DeployerException("cannot download the artifact from " + describe(url) + ": " + e, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new DeployerException("downloading the artifact from " + describe(url) + " failed: HTTP "
                        + response.statusCode() + (response.statusCode() == 403 || response.statusCode() == 401
                        ? " (the signed download URL may have expired)" : ""));
            }
            MessageDigest sha256 = sha256();
            try (OutputStream out = new DigestOutputStream(
                    Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), sha256)) {
                body.transferTo(out);
            }
            return HexFormat.of().formatHex(sha256.digest());
        }
    }

    /**
     * Unpacks a tar.gz into {@code into}. Entries may not leave it: no absolute names, no {@code ..} above it, no writing
     * through a link that points elsewhere, no links to outside; devices and pipes are refused.
     */
    static void unpack(Path archive, Path into, String hex) throws IOException {
        Path realRoot = into.toRealPath();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
             GzipCompressorInputStream gzip = new GzipCompressorInputStream(file);
             TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                Path path = realRoot.resolve(name).normalize();
                if (name.startsWith("/") || !path.startsWith(realRoot)) {
                    throw refused(hex, name, "its path leaves the artifact's directory");
                }
                if (path.equals(realRoot)) {
                    continue;
                }
                ensureParentInside(path, realRoot, hex, name);
                if (entry.isDirectory()) {
                    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(path);
                        Files.createDirectory(path);
                    }
                    Files.setPosixFilePermissions(path, permissions(entry.getMode() | 0700));
                } else if (entry.isSymbolicLink()) {
                    String link = entry.getLinkName();
                    if (link.startsWith("/") || !path.getParent().resolve(link).normalize().startsWith(realRoot)) {
                        throw refused(hex, name, "it is a link to '" + link + "', outside the artifact");
                    }
                    Files2.deleteRecursively(path);
                    Files.createSymbolicLink(path, path.getFileSystem().getPath(link));
                } else if (entry.isLink()) {
                    Path target = realRoot.resolve(entry.getLinkName()).normalize();
                    if (!target.startsWith(realRoot) || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw refused(hex, name, "it is a hard link to '" + entry.getLinkName()
                                + "', which is no file unpacked before it");
                    }
                    Files2.deleteRecursively(path);
                    Files.createLink(path, target);
                } else if (entry.isFile()) {
                    Files2.deleteRecursively(path);
                    // never while a process starts: it would hold the file open for writing, and bin/start not run
                    Processes.writeExecutable(() -> {
                        try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                            tar.transferTo(out);
                        }
                    });
                    Files.setPosixFilePermissions(path, permissions(entry.getMode() | 0600));
                } else {
                    throw refused(hex, name, "it is neither a file, a directory nor a link");
                }
            }
        }
    }

    /** Creates the entry's parent directories, having made sure no link on the way leads out of the artifact. */
    private static void ensureParentInside(Path path, Path realRoot, String hex, String name) throws IOException {
        Path parent = path.getParent();
        Path existing = parent;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (!existing.toRealPath().startsWith(realRoot)) {
            throw refused(hex, name, "a link on its path leads out of the artifact");
        }
        Files.createDirectories(parent);
        if (!parent.toRealPath().startsWith(realRoot)) {
            throw refused(hex, name, "a link on its path leads out of the artifact");
        }
    }

    private static DeployerException refused(String hex, String name, String why) {
        return new DeployerException("the artifact sha256:" + hex + " is refused: its entry '" + name + "' cannot be "
                + "unpacked safely (" + why + ")");
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = java.util.EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    /** Scheme, host and port: a signed download URL's path and query are its credential and never appear in messages. */
    public static String describe(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** Removes downloads and unpackings a stopped server left behind in the temporary directory. */
    public void removeLeftovers() {
        if (!Files.isDirectory(temporary)) {
            return;
        }
        try (Stream<Path> leftovers = Files.list(temporary)) {
            leftovers.filter(path -> olderThan(path, Duration.ofHours(1))).forEach(Files2::deleteQuietly);
        } catch (IOException e) {
            log.warn("cannot clean {}: {}", temporary, e.getMessage());
        }
    }

    private static boolean olderThan(Path path, Duration age) {
        try {
            return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant()
                    .isBefore(java.time.Instant.now().minus(age));
        } catch (IOException e) {
            return false;
        }
    }
}
