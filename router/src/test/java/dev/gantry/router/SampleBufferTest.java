package dev.gantry.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SampleBufferTest {
    @Test
    void growsThenKeepsTheNewestCapacitySamples() {
        SampleBuffer buffer = new SampleBuffer(3000);
        for (int i = 0; i < 10_000; i++) {
            buffer.add(i, i * 1000L, 200 + i % 3);
        }
        assertThat(buffer.size()).isEqualTo(3000);
        assertThat(buffer.total()).isEqualTo(10_000);
        SampleBuffer.Samples all = buffer.between(0, Long.MAX_VALUE);
        assertThat(all.size).isEqualTo(3000);
        for (int i = 0; i < all.size; i++) {
            long t = 7000 + i;
            assertThat(all.times[i]).isEqualTo(t);
            assertThat(all.latencyNanos[i]).isEqualTo(t * 1000);
            assertThat(all.statuses[i]).isEqualTo((short) (200 + t % 3));
        }
        SampleBuffer.Samples window = buffer.between(8000, 8010);
        assertThat(window.size).isEqualTo(10);
        assertThat(window.times[0]).isEqualTo(8000);
        assertThat(buffer.between(0, 7000).size).isZero();
    }

    @Test
    void windowBeforeWrapping() {
        SampleBuffer buffer = new SampleBuffer(1_000_000);
        for (int i = 0; i < 5000; i++) {
            buffer.add(1000 + i, 1, 200);
        }
        assertThat(buffer.size()).isEqualTo(5000);
        assertThat(buffer.between(1000, 6000).size).isEqualTo(5000);
        assertThat(buffer.between(1100, 1200).size).isEqualTo(100);
    }

    @Test
    void removedVersionsKeepTheirSamplesForAWhile() {
        SampleStore store = new SampleStore(10);
        for (int i = 0; i < 20; i++) {
            store.forVersion("v" + i).add(1, 1, 200);
            store.retainActive(Set.of("v" + i));
        }
        // the active one plus the 4 most recently removed
        assertThat(store.versions()).hasSize(1 + SampleStore.RETIRED_KEPT).contains("v19", "v18", "v15").doesNotContain("v14");
        store.forVersion("v15");
        store.retainActive(Set.of("v19", "v15"));
        assertThat(store.find("v15")).isNotNull();
    }
}
