package dev.gantry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The hot path allocates nothing: a percentage rollout with two constraints, through the client with exposure
 * counting on, measured with the JVM's per-thread allocation counter (not a timing).
 */
class TestAllocationFreeEvaluation {
    static final String GRADUAL = TestFlagServer.flag("new-checkout", 1, true, """
            [{"constraints": [{"attribute": "country", "operator": "in", "values": ["DE", "FR", "NL"]},
                              {"attribute": "app_version", "operator": "semver_gt", "values": ["3.1.0"]}],
              "rollout": 25, "serve": {"variant": "on"}}]""");

    @Test
    void evaluatingARolloutWithTwoConstraintsAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        FlagContext[] users = new FlagContext[1024];
        for (int i = 0; i < users.length; i++) {
            users[i] = FlagContext.builder("user-" + i).attribute("country", i % 2 == 0 ? "DE" : "NL")
                    .attribute("app_version", "3.4." + i).build();
        }
        try (TestFlagServer server = new TestFlagServer("t", "production").start()) {
            server.putFlag(GRADUAL);
            try (GantryFlags flags = GantryFlags.builder(server.url(), "t", "production").build()) {
                assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
                int on = 0;
                for (int i = 0; i < 200_000; i++) {
                    on += flags.isEnabled("new-checkout", users[i & 1023], false) ? 1 : 0;
                }
                long tid = Thread.currentThread().getId();
                long before = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 1_000_000; i++) {
                    on += flags.isEnabled("new-checkout", users[i & 1023], false) ? 1 : 0;
                    on += flags.evaluate("new-checkout", users[i & 1023]).enabled() ? 1 : 0;
                    on += flags.variant("new-checkout", users[i & 1023]).isPresent() ? 1 : 0;
                    on += flags.isEnabled("unknown", users[i & 1023], false) ? 1 : 0;
                }
                long allocated = threads.getThreadAllocatedBytes(tid) - before;
                assertThat(on).isPositive();
                // the counter reads allocate a few bytes themselves; four million evaluations allocate none
                assertThat(allocated).as("bytes allocated by 4,000,000 evaluations").isLessThan(1024);
            }
        }
    }
}
