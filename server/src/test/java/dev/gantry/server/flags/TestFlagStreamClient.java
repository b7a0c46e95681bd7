package dev.gantry.server.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bound on what one stream client may hold, with writers that never run (a client that never reads). */
class TestFlagStreamClient {
    private final List<Runnable> writers = new ArrayList<>();
    private final AtomicInteger gone = new AtomicInteger();

    private FlagStreamClient client(int budget) {
        return new FlagStreamClient("production", Optional.empty(), budget, writers::add, c -> gone.incrementAndGet());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aClientFallingFurtherBehindThanItsBudgetIsDroppedOnce() throws Exception {
        FlagStreamClient client = client(100);
        client.start(bytes("snapshot"), 0);

        assertThat(client.offer(1, bytes("x".repeat(60)))).isTrue();
        assertThat(client.offer(2, bytes("x".repeat(30)))).isTrue();
        assertThat(client.offer(3, bytes("x".repeat(20)))).as("60 + 30 + 20 > 100").isFalse();

        assertThat(client.wasDropped()).isTrue();
        assertThat(gone.get()).isEqualTo(1);
        assertThat(client.offer(4, bytes("x"))).isFalse();
        client.close();
        assertThat(gone.get()).as("reported gone once").isEqualTo(1);
        assertThat(writers).as("one writer at a time, never more").hasSize(1);
    }

    @Test
    void oneEventLargerThanTheBudgetStillReachesAClientThatKeepsUp() throws Exception {
        FlagStreamClient client = client(10);
        client.start(bytes("snapshot"), 0);

        assertThat(client.offer(1, bytes("x".repeat(1000)))).isTrue();
        assertThat(client.wasDropped()).isFalse();
    }

    @Test
    void eventsBeforeTheStartAreHeldAndHeartbeatsOnlyFillSilence() throws Exception {
        FlagStreamClient client = client(1000);
        client.heartbeat();
        assertThat(client.offer(1, bytes("event 1"))).isTrue();
        assertThat(writers).as("nothing is written before the snapshot").isEmpty();

        client.start(bytes("snapshot"), 1);
        assertThat(writers).hasSize(1);
        client.heartbeat();
        assertThat(writers).as("a writer is already busy: no heartbeat is queued behind it").hasSize(1);
    }
}
