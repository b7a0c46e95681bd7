package dev.gantry.plugins.deployer.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.VersionSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacking refuses archives that would write outside the artifact's directory, and what it unpacks can be started at
 * once even while other processes start.
 */
class TestArtifacts {
    private static final String HEX = "0".repeat(64);

    @TempDir
    Path dir;

    @Test
    void unpacksFilesDirectoriesAndLinksWithTheirModes() throws IOException {
        Path archive = archive(tar -> {
            directory(tar, "bin/");
            file(tar, "bin/start", "#!/bin/sh\n", 0100755);
            file(tar, "./lib/app.txt", "app", 0100644);
            symlink(tar, "current", "lib/app.txt");
            symlink(tar, "lib/up", "../bin/start");
        });
        Path into = Files.createDirectories(dir.resolve("out"));

        Artifacts.unpack(archive, into, HEX);

        assertThat(into.resolve("bin/start")).hasContent("#!/bin/sh").isExecutable();
        assertThat(Files.isExecutable(into.resolve("lib/app.txt"))).isFalse();
        assertThat(into.resolve("current")).hasContent("app");
        assertThat(into.resolve("lib/up")).hasContent("#!/bin/sh");
    }

    @Test
    void refusesEntriesThatLeaveTheDirectory() throws IOException {
        assertRefused(tar -> file(tar, "../escaped", "x", 0100644), "leaves");
        assertRefused(tar -> file(tar, "bin/../../escaped", "x", 0100644), "leaves");
        assertRefused(tar -> file(tar, "/etc/escaped", "x", 0100644), "leaves");
        assertRefused(tar -> symlink(tar, "out", "/etc"), "outside");
        assertRefused(tar -> symlink(tar, "out", "../.."), "outside");
        // a link that chains out of the directory, then a file written through it
        assertRefused(tar -> {
            directory(tar, "d/");
            symlink(tar, "d/l", "..");
            symlink(tar, "a", "d/l/..");
            file(tar, "a/escaped", "x", 0100644);
        }, "a link on its path leads out");
        assertThat(dir.resolve("escaped")).doesNotExist();
        assertThat(dir.getParent().resolve("escaped")).doesNotExist();
    }

    @Test
    void aDigestUnpackedMeanwhileByAnotherDeployIsUsedAsItIs() throws Exception {
        Path archive = archive(tar -> {
            directory(tar, "bin/");
            file(tar, "bin/start", "#!/bin/sh\n", 0100755);
        });
        byte[] bytes = Files.readAllBytes(archive);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Path root = dir.resolve("deployer");
        // while this deploy downloads, another one (another thread, or another replica sharing the directory) finishes
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Path other = Files.createDirectories(root.resolve("artifacts").resolve(hex).resolve("bin"));
            Files.writeString(other.resolve("start"), "#!/bin/sh\n# the other deploy's copy\n");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/artifact");
            Path unpacked = new Artifacts(root, HttpClient.newHttpClient())
                    .prepare(new VersionSpec("v1", "sha256:" + hex, url, Map.of(), "/healthz"));

            assertThat(unpacked).isEqualTo(root.resolve("artifacts").resolve(hex));
            assertThat(unpacked.resolve("bin/start")).content().contains("the other deploy's copy");
            assertThat(root.resolve("artifacts/.tmp")).isEmptyDirectory();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnpackedStartRunsAtOnceWhileOtherProcessesStart() throws Exception {
        // before writes and starts excluded each other, about one start in 500 failed here with "Text file busy"
        Path archive = archive(tar -> {
            directory(tar, "bin/");
            file(tar, "bin/start", "#!/bin/sh\nexit 0\n", 0100755);
        });
        Map<String, String> environment = Map.of("PATH", "/usr/bin:/bin");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread others = new Thread(() -> {
            while (running.get()) {
                try {
                    Processes.startDetached(List.of("true"), dir, environment, dir.resolve("others.log")).waitFor();
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        others.start();
        List<String> failed = new ArrayList<>();
        try {
            for (int i = 0; i < 1000 && failed.size() < 3; i++) {
                Path into = Files.createDirectories(dir.resolve("run-" + i));
                Artifacts.unpack(archive, into, HEX);
                Path log = dir.resolve("run-" + i + ".log");
                Process start = Processes.startDetached(List.of(into.resolve("bin/start").toString()), into, environment, log);
                assertThat(start.waitFor(30, TimeUnit.SECONDS)).isTrue();
                if (start.exitValue() != 0) {
                    failed.add("run " + i + ": exit " + start.exitValue() + ": " + Files.readString(log).trim());
                }
            }
        } finally {
            running.set(false);
            others.join(30_000);
        }
        assertThat(failed).isEmpty();
    }

    private void assertRefused(Body body, String why) throws IOException {
        Path archive = archive(body);
        Path into = Files.createDirectories(dir.resolve("out-" + System.nanoTime()));
        assertThatThrownBy(() -> Artifacts.unpack(archive, into, HEX))
                .isInstanceOf(DeployerException.class).hasMessageContaining("refused").hasMessageContaining(why);
    }

    interface Body {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private Path archive(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            body.write(tar);
        }
        Path archive = Files.createTempFile(dir, "artifact", ".tar.gz");
        Files.write(archive, bytes.toByteArray());
        return archive;
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content, int mode) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(bytes.length);
        entry.setMode(mode);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void symlink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }
}
