package dev.gantry.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Progress is written in the background, latest snapshot last, and flush waits for it. */
class TestProgressReporter {
    private static final BuildLease LEASE = new BuildLease("b1", "agent", 7, 1, "r1", "abc", "main", 0, 0);
    private final ExecutorService writer = Executors.newCachedThreadPool();
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    /** The attempt's state as the build's thread last left it; a write takes it when it begins. */
    private final AtomicReference<ProgressReporter.Snapshot> state = new AtomicReference<>();

    private void report(ProgressReporter reporter, String status, String stagesJson) {
        state.set(new ProgressReporter.Snapshot(status, stagesJson));
        reporter.report();
    }

    @AfterEach
    void stop() {
        writer.shutdownNow();
    }

    /** A coordinator whose progress writes take until {@code release} opens (the first one) and are recorded. */
    private BuildCoordinator slowCoordinator() {
        return (BuildCoordinator) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BuildCoordinator.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("progress")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    release.await(10, TimeUnit.SECONDS);
                    written.add(args[1] + " " + args[2]);
                    return true;
                });
    }

    @Test
    void reportsWhileAWriteIsOnItsWayCollapseIntoOneWriteOfTheLatest() throws Exception {
        ProgressReporter reporter = new ProgressReporter(slowCoordinator(), LEASE, writer, state::get);
        report(reporter, "building", "[1]");
        Thread.sleep(50); // the first write has begun and waits
        report(reporter, "building", "[2]");
        report(reporter, "testing", "[3]");
        assertThat(written).isEmpty();

        release.countDown();
        reporter.flush();

        assertThat(written).containsExactly("building [1]", "testing [3]");
    }

    @Test
    void flushReturnsAtOnceWhenNothingWasReported() throws Exception {
        ProgressReporter reporter = new ProgressReporter(slowCoordinator(), LEASE, writer, state::get);
        reporter.flush();
        assertThat(written).isEmpty();
    }

    @Test
    void aFailedWriteDoesNotStopTheNext() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        BuildCoordinator failingOnce = (BuildCoordinator) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BuildCoordinator.class}, (proxy, method, args) -> {
                    seen.add((String) args[2]);
                    if (seen.size() == 1) {
                        throw new IllegalStateException("database away");
                    }
                    return true;
                });
        ProgressReporter reporter = new ProgressReporter(failingOnce, LEASE, writer, state::get);
        report(reporter, "building", "[1]");
        reporter.flush();
        report(reporter, "building", "[2]");
        reporter.flush();
        assertThat(seen).containsExactly("[1]", "[2]");
    }
}
