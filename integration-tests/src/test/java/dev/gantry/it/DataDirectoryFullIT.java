package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gantry.server.testing.Api;
import java.io.OutputStream;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's data directory (its embedded PostgreSQL and its filesystem artifacts) fills up: an upload that does
 * not fit is refused with a clear error and leaves nothing behind, what was stored before stays intact, and once
 * there is room again the server goes on by itself. The data directory is a small tmpfs, so this needs root;
 * elsewhere it is skipped, saying so.
 */
class DataDirectoryFullIT {
    private static final int MIB = 1024 * 1024;

    @Test
    void anUploadThatDoesNotFitIsRefusedAndNothingIsLostOrHalfWritten(@TempDir(cleanup = CleanupMode.ALWAYS) Path workDir)
            throws Exception {
        assumeTrue(FaultParts.runningAsRoot(), "needs root to mount a small tmpfs as the data directory");
        Path data = Files.createDirectories(workDir.resolve("data"));
        FaultParts.mountTmpfs(data, "640m");
        try (GantryProcess gantry = GantryProcess.start(workDir, Map.of())) {
            gantry.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(gantry.url());
            byte[] kept = bytes(4 * MIB, 1);
            assertThat(upload(api, kept).status()).isEqualTo(201);

            // all but 8 MiB taken by something else on the disk
            Path filler = data.resolve("filler");
            long free = Files.getFileStore(data).getUsableSpace();
            assertThat(free).as("room left by the server's own files (PostgreSQL's binaries and data among them)")
                    .isGreaterThan(64L * MIB);
            fill(filler, free - 8L * MIB);
            byte[] big = bytes(24 * MIB, 2);
            Api.Reply refused = upload(api, big);

            assertThat(refused.status()).as(refused.body()).isEqualTo(507);
            assertThat(refused.error()).isEqualTo("insufficient_storage");
            assertThat(refused.body()).contains("No space left on device").contains("nothing was stored");
            assertThat(api.get("/api/artifacts/" + digest(big), GantryProcess.ADMIN_TOKEN).status()).isEqualTo(404);
            assertThat(download(gantry, digest(kept))).as("the artifact stored before").isEqualTo(digest(kept));
            // the partial upload is gone: the 8 MiB are free again
            assertThat(Files.getFileStore(data).getUsableSpace()).isGreaterThan(6L * MIB);

            Files.delete(filler);
            Api.Reply stored = upload(api, big);
            assertThat(stored.status()).as(stored.body()).isEqualTo(201);
            assertThat(download(gantry, digest(big))).isEqualTo(digest(big));
            assertThat(api.get("/readyz", null).status()).isEqualTo(200);
        } finally {
            FaultParts.unmount(data);
        }
    }

    private static Api.Reply upload(Api api, byte[] bytes) throws Exception {
        return api.bytes("PUT", "/api/artifacts/" + digest(bytes), GantryProcess.ADMIN_TOKEN, "application/octet-stream", bytes);
    }

    /** The digest of what the server serves for {@code digest}. */
    private static String download(GantryProcess gantry, String digest) throws Exception {
        HttpResponse<byte[]> blob = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gantry.url() + "api/artifacts/" + digest + "/blob"))
                .header("Authorization", "Bearer " + GantryProcess.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(blob.statusCode()).isEqualTo(200);
        return digest(blob.body());
    }

    private static void fill(Path file, long size) throws Exception {
        byte[] block = new byte[MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String digest(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
