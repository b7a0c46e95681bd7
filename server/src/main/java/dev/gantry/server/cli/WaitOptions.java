package dev.gantry.server.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How long a command waits for a build or deploy to finish. */
public final class WaitOptions {
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "Give up waiting after this long, with exit code 7 (such as 90s, 10m or 1h; default: ${DEFAULT-VALUE}).")
    Duration timeout;
}
