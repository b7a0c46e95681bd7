package dev.gantry.plugins.artifact.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.PluginDatabase;
import dev.gantry.plugin.api.PluginMetrics;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.artifact.ArtifactNotFoundException;
import dev.gantry.plugin.api.artifact.PutResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestFsArtifactStore {
    @TempDir
    Path dataDir;

    @Test
    void storesABlobOnceAndReadsItBack() throws Exception {
        FsArtifactStore store = store(Map.of());
        byte[] bytes = "a build's output".getBytes(StandardCharsets.UTF_8);
        String digest = sha256(bytes);

        PutResult first = store.put(digest, new ByteArrayInputStream(bytes), bytes.length);
        PutResult second = store.put(digest, new ByteArrayInputStream(bytes), bytes.length);

        assertThat(first).isEqualTo(new PutResult(digest, bytes.length, true));
        assertThat(second.created()).isFalse();
        assertThat(store.exists(digest)).isTrue();
        try (InputStream in = store.open(digest)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(dataDir.resolve("sha256").resolve(digest.substring(7, 9)).resolve(digest.substring(7))).exists();
    }

    @Test
    void aSecondPutStillReadsTheWholeStreamSoItsCheckRuns() throws Exception {
        FsArtifactStore store = store(Map.of());
        byte[] bytes = {1, 2, 3};
        String digest = sha256(bytes);
        store.put(digest, new ByteArrayInputStream(bytes), 3);
        ByteArrayInputStream again = new ByteArrayInputStream(bytes);

        store.put(digest, again, 3);

        assertThat(again.available()).isZero();
    }

    @Test
    void aStreamThatFailsMidwayLeavesNoBlobAndNoTemporaryFile() throws Exception {
        FsArtifactStore store = store(Map.of());
        String digest = sha256(new byte[] {9});
        InputStream failing = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 100_000) {
                    return 7;
                }
                throw new IOException("the client went away");
            }
        };

        assertThatThrownBy(() -> store.put(digest, failing, -1)).hasMessage("the client went away");

        assertThat(store.exists(digest)).isFalse();
        assertThat(files(dataDir.resolve("tmp"))).isEmpty();
        assertThat(files(dataDir.resolve("sha256"))).isEmpty();
    }

    @Test
    void anUploadOfManyBuffersIsStoredWholeAndInOrder() throws Exception {
        FsArtifactStore store = store(Map.of());
        // several of the writer's buffers and a part of one, delivered in uneven reads
        byte[] bytes = new byte[9 * (1 << 20) + 12345];
        new java.util.Random(7).nextBytes(bytes);
        String digest = sha256(bytes);

        PutResult result = store.put(digest, new UnevenStream(bytes, Integer.MAX_VALUE, null), -1);

        assertThat(result).isEqualTo(new PutResult(digest, bytes.length, true));
        try (InputStream in = store.open(digest)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(files(dataDir.resolve("tmp"))).isEmpty();
    }

    @Test
    void aLargeUploadThatFailsAtAnyPointLeavesNothing() throws Exception {
        FsArtifactStore store = store(Map.of());
        byte[] bytes = new byte[6 * (1 << 20)];
        new java.util.Random(8).nextBytes(bytes);
        String digest = sha256(bytes);
        // midway, and at the very end as the host's digest check does when the bytes do not match their name
        for (int failAt : List.of(1 << 20, 3 * (1 << 20) + 17, bytes.length)) {
            IOException failure = new IOException("failed after " + failAt + " bytes");

            assertThatThrownBy(() -> store.put(digest, new UnevenStream(bytes, failAt, failure), bytes.length))
                    .as("failing at %d", failAt).isSameAs(failure);

            assertThat(store.exists(digest)).isFalse();
            assertThat(files(dataDir.resolve("tmp"))).isEmpty();
            assertThat(files(dataDir.resolve("sha256"))).isEmpty();
        }
        // no thread is left behind
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread -> thread.getName().startsWith("artifact-store-fs"));
    }

    @Test
    void concurrentPutsOfOneDigestStoreItExactlyOnce() throws Exception {
        FsArtifactStore store = store(Map.of());
        byte[] bytes = new byte[3_000_000];
        new java.util.Random(1).nextBytes(bytes);
        String digest = sha256(bytes);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<PutResult> results = new ArrayList<>();
        try {
            List<Callable<PutResult>> puts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                puts.add(() -> store.put(digest, new ByteArrayInputStream(bytes), bytes.length));
            }
            for (Future<PutResult> result : pool.invokeAll(puts)) {
                results.add(result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(results).filteredOn(PutResult::created).hasSize(1);
        assertThat(files(dataDir.resolve("sha256"))).hasSize(1);
        assertThat(files(dataDir.resolve("tmp"))).isEmpty();
        try (InputStream in = store.open(digest)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
    }

    @Test
    void namesThatAreNotDigestsAreRefusedSoNothingEscapesTheStore() {
        FsArtifactStore store = store(Map.of());
        for (String name : List.of("sha256:../../etc/passwd", "../" + "a".repeat(61), "sha256:" + "A".repeat(64),
                "sha256:" + "a".repeat(63) + "/", "a".repeat(64))) {
            assertThatThrownBy(() -> store.open(name)).as(name).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.put(name, new ByteArrayInputStream(new byte[1]), 1)).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void openingWhatIsNotThereSaysSoAndDeleteIsIdempotent() throws Exception {
        FsArtifactStore store = store(Map.of());
        String digest = sha256(new byte[] {5});
        assertThatThrownBy(() -> store.open(digest)).isInstanceOf(ArtifactNotFoundException.class);
        store.put(digest, new ByteArrayInputStream(new byte[] {5}), 1);

        store.delete(digest);
        store.delete(digest);

        assertThat(store.exists(digest)).isFalse();
    }

    @Test
    void aConfiguredPathIsUsedAndUploadsAbandonedByAStoppedServerAreCleaned(@TempDir Path elsewhere) throws Exception {
        Path tmp = Files.createDirectories(elsewhere.resolve("tmp"));
        Path abandoned = Files.writeString(tmp.resolve("0123.old.part"), "half an upload");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
        Path recent = Files.writeString(tmp.resolve("4567.new.part"), "an upload in progress");

        FsArtifactStore store = store(Map.of("path", elsewhere.toString()));
        store.put(sha256(new byte[] {1}), new ByteArrayInputStream(new byte[] {1}), 1);

        assertThat(abandoned).doesNotExist();
        assertThat(recent).exists();
        assertThat(files(elsewhere.resolve("sha256"))).hasSize(1);
        assertThat(files(dataDir)).isEmpty();
    }

    /** Hands out {@code bytes} in reads of varying sizes, then fails with {@code failure} once {@code failAt} were read. */
    private static final class UnevenStream extends InputStream {
        private final byte[] bytes;
        private final int failAt;
        private final IOException failure;
        private int position;
        private int reads;

        UnevenStream(byte[] bytes, int failAt, IOException failure) {
            this.bytes = bytes;
            this.failAt = failAt;
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (failure != null && position >= failAt) {
                throw failure;
            }
            if (position == bytes.length) {
                return -1;
            }
            int limit = failure == null ? bytes.length : failAt;
            int count = Math.min(Math.min(length, 1 + (reads++ * 7919) % 70_000), limit - position);
            System.arraycopy(bytes, position, buffer, offset, count);
            position += count;
            return count;
        }
    }

    private FsArtifactStore store(Map<String, String> settings) {
        return new FsArtifactStore(new TestContext(dataDir, new PluginConfig(settings)));
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Only what the store uses: its settings, its data directory and the clock. */
    private record TestContext(Path dataDirectory, PluginConfig config) implements PluginContext {
        @Override
        public String pluginId() {
            return "artifact-store-fs";
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public HttpClient httpClient() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Secrets secrets() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Workspace workspace() {
            throw new UnsupportedOperationException();
        }

        @Override
        public PluginMetrics metrics() {
            throw new UnsupportedOperationException();
        }

        @Override
        public PluginDatabase database() {
            throw new UnsupportedOperationException();
        }
    }
}
