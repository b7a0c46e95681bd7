package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A 2 GiB artifact through a server whose heap is 256 MiB: uploads and downloads stream, nothing is buffered whole. */
class LargeArtifactIT {
    private static final long SIZE = 2L * 1024 * 1024 * 1024;
    private static final int BLOCK = 1 << 20;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aTwoGigabyteArtifactGoesInAndComesOutWithA256MegabyteHeap(@TempDir(cleanup = CleanupMode.ALWAYS) Path workDir) throws Exception {
        try (GantryProcess gantry = GantryProcess.start(workDir, Map.of("GANTRY_OPTS", "-Xmx256m"))) {
            gantry.awaitReady(Duration.ofSeconds(120));
            // bin/gantry execs the JVM, so the process is the JVM itself; its last -Xmx wins
            String commandLine = Files.readString(Path.of("/proc", Long.toString(gantry.process().pid()), "cmdline"))
                    .replace('\0', ' ');
            assertThat(commandLine.substring(commandLine.lastIndexOf("-Xmx"))).startsWith("-Xmx256m");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String digest = sha256(new GeneratedBytes());

            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(gantry.url() + "api/artifacts/" + digest))
                    .header("Authorization", "Bearer " + GantryProcess.ADMIN_TOKEN)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(GeneratedBytes::new), SIZE))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            assertThat(put.body()).contains("\"size_bytes\":" + SIZE);

            HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(URI.create(gantry.url() + "api/artifacts/" + digest + "/blob"))
                    .header("Authorization", "Bearer " + GantryProcess.ADMIN_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
            try (InputStream body = get.body()) {
                assertThat(sha256(body)).isEqualTo(digest);
            }
            assertThat(gantry.process().isAlive()).isTrue();
            assertThat(gantry.stdout() + gantry.stderr()).doesNotContain("OutOfMemoryError");
        }
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[BLOCK];
        long total = 0;
        for (int read; (read = in.read(buffer)) != -1; ) {
            sha.update(buffer, 0, read);
            total += read;
        }
        assertThat(total).isEqualTo(SIZE);
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    /** 2 GiB made on the fly, the same every time: one random block, each copy stamped with its number. */
    private static final class GeneratedBytes extends InputStream {
        private static final byte[] PATTERN = new byte[BLOCK];

        static {
            new Random(7).nextBytes(PATTERN);
        }

        private final byte[] block = PATTERN.clone();
        private long position;

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= SIZE) {
                return -1;
            }
            int inBlock = (int) (position % BLOCK);
            if (inBlock == 0) {
                long number = position / BLOCK;
                for (int i = 0; i < 8; i++) {
                    block[i] = (byte) (number >>> (8 * i));
                }
            }
            int count = (int) Math.min(Math.min(length, BLOCK - inBlock), SIZE - position);
            System.arraycopy(block, inBlock, buffer, offset, count);
            position += count;
            return count;
        }
    }
}
