package dev.gantry.plugins.artifact.s3;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * S3 put and get throughput against s3proxy on loopback (its in-memory blob store, so the figure is the store's and
 * the SDK's, not a disk's). Not part of the normal test run (no Test prefix); it prints figures and asserts none:
 * <pre>./mvnw -B -ntp -pl plugins/artifact-store-s3 test -Dtest=S3StoreBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class S3StoreBenchmark {
    private static final int SIZE = 256 * 1024 * 1024;
    private static final int RUNS = 3;

    @Test
    void putAndGetThroughput() throws Exception {
        try (S3ProxyServer s3 = new S3ProxyServer()) {
            s3.createBucket("bench");
            S3ArtifactStore store = new S3ArtifactStore(s3.config("bench", Map.of()), S3ProxyServer.secrets());
            List<Double> puts = new ArrayList<>();
            List<Double> gets = new ArrayList<>();
            for (int run = 0; run <= RUNS; run++) {
                byte[] bytes = HostUpload.randomBytes(SIZE, run);
                String digest = HostUpload.digest(bytes);
                long started = System.nanoTime();
                store.put(digest, HostUpload.of(bytes), bytes.length);
                double put = SIZE / ((System.nanoTime() - started) / 1e9) / 1e6;
                started = System.nanoTime();
                byte[] buffer = new byte[1 << 20];
                try (InputStream in = store.open(digest)) {
                    while (in.read(buffer) != -1) {
                        // read it all
                    }
                }
                double get = SIZE / ((System.nanoTime() - started) / 1e9) / 1e6;
                if (run > 0) { // run 0 warms the JIT up
                    puts.add(put);
                    gets.add(get);
                }
                store.delete(digest);
            }
            System.out.printf("S3 store against s3proxy on loopback, %d MiB objects (16 MiB parts), median of %d:%n", SIZE >> 20, RUNS);
            System.out.printf("  put  %.0f MB/s   (runs: %s)%n", median(puts), puts);
            System.out.printf("  get  %.0f MB/s   (runs: %s)%n", median(gets), gets);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
