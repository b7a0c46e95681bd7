package dev.gantry.plugins.builder.sandbox;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What this machine offers sandboxes, found once: bwrap itself, whether the server is root, the host toolchain to
 * show read-only, a minimal /etc, and how resource limits are enforced.
 *
 * @param bwrap the bwrap executable
 * @param privileged the server runs as root (so steps drop to {@code uid} inside the sandbox, see SandboxCommand)
 * @param uid the user (and group) id a step runs as
 * @param etc the directory holding the generated passwd, group, hosts and nsswitch.conf
 * @param toolchain bwrap arguments that show the host's /usr, the /bin, /lib... beside it, and toolchain settings
 *     from /etc, all read-only
 * @param cgroups where limits are set, or empty when they fall back to rlimits
 */
record SandboxHost(Path bwrap, boolean privileged, int uid, Path etc, List<String> toolchain, Optional<Cgroups> cgroups) {
    /** Settings under /etc that toolchains in /usr read (often through symlinks from /usr); none holds secrets. */
    private static final List<String> TOOLCHAIN_ETC = List.of("alternatives", "ld.so.cache", "ld.so.conf",
            "ld.so.conf.d", "localtime", "timezone", "locale.alias", "protocols", "services", "mime.types", "maven");
    /** Per-version settings directories, e.g. /etc/java-17-openjdk that the JDK's conf/ links to. */
    private static final List<String> TOOLCHAIN_ETC_PREFIXES = List.of("java", "python3");
    /** Top-level directories that are /usr's on a merged-/usr system, and real directories on older ones. */
    private static final List<String> USR_COMPANIONS = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");
    static final String HOSTNAME = "sandbox";

    SandboxHost {
        requireNonNull(bwrap, "bwrap is null");
        requireNonNull(etc, "etc is null");
        toolchain = List.copyOf(toolchain);
        requireNonNull(cgroups, "cgroups is null");
    }

    /** The read-only view of the host's toolchain, as bwrap arguments, from what exists on this host. */
    static List<String> toolchainArguments(Path hostRoot) throws IOException {
        List<String> args = new ArrayList<>(List.of("--ro-bind", hostRoot.resolve("usr").toString(), "/usr"));
        for (String name : USR_COMPANIONS) {
            Path path = hostRoot.resolve(name);
            if (Files.isSymbolicLink(path)) {
                args.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), "/" + name));
            } else if (Files.isDirectory(path)) {
                args.addAll(List.of("--ro-bind", path.toString(), "/" + name));
            }
        }
        Path etc = hostRoot.resolve("etc");
        List<String> names = new ArrayList<>(TOOLCHAIN_ETC);
        try (Stream<Path> entries = Files.list(etc)) {
            entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> TOOLCHAIN_ETC_PREFIXES.stream().anyMatch(name::startsWith))
                    .sorted()
                    .forEach(names::add);
        }
        for (String name : names) {
            // -try: a setting that disappears later (a package removed) must not break every sandbox
            args.addAll(List.of("--ro-bind-try", etc.resolve(name).toString(), "/etc/" + name));
        }
        return List.copyOf(args);
    }

    /** What a step that may use the network also sees: name resolution and the CA certificates. */
    static List<String> networkArguments() {
        List<String> args = new ArrayList<>();
        for (String name : List.of("resolv.conf", "ssl", "ca-certificates")) {
            args.addAll(List.of("--ro-bind-try", "/etc/" + name, "/etc/" + name));
        }
        if (Files.isDirectory(Path.of("/etc/ssl/private"))) {
            // private keys live beside the certificates; an empty directory stands in for them
            args.addAll(List.of("--tmpfs", "/etc/ssl/private"));
        }
        return List.copyOf(args);
    }

    /**
     * Writes the sandbox's own passwd, group, hosts and nsswitch.conf into {@code dir}: only root and the step's user
     * exist, and the host's accounts and names stay unseen. Written atomically, so concurrent steps never read half.
     */
    static void writeEtc(Path dir, int uid) throws IOException {
        Files.createDirectories(dir);
        String nobody = uid == 65534 ? "" : "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        String nogroup = uid == 65534 ? "" : "nogroup:x:65534:\n";
        writeFile(dir, "passwd", "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "build:x:" + uid + ":" + uid + ":build step:/tmp:/bin/sh\n" + nobody);
        writeFile(dir, "group", "root:x:0:\nbuild:x:" + uid + ":\n" + nogroup);
        writeFile(dir, "hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t" + HOSTNAME + "\n"
                + "::1\tlocalhost ip6-localhost ip6-loopback\n");
        writeFile(dir, "nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"
                + "networks: files\nprotocols: files\nservices: files\n");
    }

    static boolean etcComplete(Path dir) {
        return Stream.of("passwd", "group", "hosts", "nsswitch.conf").allMatch(name -> Files.isRegularFile(dir.resolve(name)));
    }

    static List<String> etcArguments(Path dir) {
        List<String> args = new ArrayList<>();
        for (String name : List.of("passwd", "group", "hosts", "nsswitch.conf")) {
            args.addAll(List.of("--ro-bind", dir.resolve(name).toString(), "/etc/" + name));
        }
        return args;
    }

    private static void writeFile(Path dir, String name, String content) throws IOException {
        Path temporary = Files.createTempFile(dir, name, ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        // readable by the step's user, whoever owns the directory
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temporary, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
