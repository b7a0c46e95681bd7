package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a build or deploy to finish by reading it again every {@value #INTERVAL_MILLIS} ms: one progress line
 * per change, exit code 7 once the timeout is up. A server that cannot be reached for a while (a replica restarting)
 * is read again for up to {@link #UNREACHABLE_GRACE} before the wait fails.
 */
final class Poller {
    static final long INTERVAL_MILLIS = 500;
    static final Duration UNREACHABLE_GRACE = Duration.ofSeconds(30);

    private final Duration timeout;
    private final Duration interval;
    private final Consumer<String> progress;

    Poller(Duration timeout, Consumer<String> progress) {
        this(timeout, Duration.ofMillis(INTERVAL_MILLIS), progress);
    }

    Poller(Duration timeout, Duration interval, Consumer<String> progress) {
        this.timeout = timeout;
        this.interval = interval;
        this.progress = progress;
    }

    /**
     * Reads {@code what} until {@code finished} holds, reporting {@code describe} of each reading that differs from the
     * last; returns the finished reading.
     */
    JsonNode await(String what, Supplier<JsonNode> read, Function<JsonNode, String> describe, Predicate<JsonNode> finished) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        long unreachableSince = 0;
        while (true) {
            JsonNode current;
            try {
                current = read.get();
                unreachableSince = 0;
            } catch (CliException e) {
                if (e.exitCode() != ExitCodes.SERVER) {
                    throw e;
                }
                long now = System.nanoTime();
                if (unreachableSince == 0) {
                    unreachableSince = now;
                    progress.accept("gantry: " + e.getMessage() + "; trying again for " + UNREACHABLE_GRACE.toSeconds() + "s");
                } else if (now - unreachableSince > UNREACHABLE_GRACE.toNanos()) {
                    throw e;
                }
                current = null;
            }
            if (current != null) {
                String line = describe.apply(current);
                if (!line.equals(last)) {
                    progress.accept(line);
                    last = line;
                }
                if (finished.test(current)) {
                    return current;
                }
            }
            if (System.nanoTime() + interval.toNanos() > deadline) {
                throw new CliException(ExitCodes.TIMEOUT, "gave up waiting for " + what + " after "
                        + DurationConverter.show(timeout) + (last != null ? "; last: " + last : ""));
            }
            sleep(interval);
        }
    }

    private static void sleep(Duration interval) {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.TIMEOUT, "interrupted while waiting");
        }
    }
}
