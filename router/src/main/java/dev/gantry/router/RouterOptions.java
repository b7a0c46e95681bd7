package dev.gantry.router;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The router's command-line options, shared by {@code gantry router} and {@link RouterMain} (a picocli mixin), and
 * built directly by code that starts a router in-process.
 */
public final class RouterOptions {
    /** Default capacity of each version's sample ring buffer. */
    public static final int DEFAULT_SAMPLES_PER_VERSION = 1_000_000;

    @Option(names = "--state-dir", required = true, paramLabel = "DIR",
            description = "Directory of state.json and admin.json (created if missing).")
    Path stateDir;

    @Option(names = "--listen-port", required = true, paramLabel = "PORT",
            description = "Port the proxied (public) traffic arrives on; 0 picks a free one (see admin.json).")
    int listenPort;

    @Option(names = "--listen-host", paramLabel = "HOST", defaultValue = "0.0.0.0",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String listenHost = "0.0.0.0";

    @Option(names = "--samples-per-version", paramLabel = "N", defaultValue = "" + DEFAULT_SAMPLES_PER_VERSION,
            description = "Request samples kept in memory per version, newest first (default: ${DEFAULT-VALUE}).")
    int samplesPerVersion = DEFAULT_SAMPLES_PER_VERSION;

    /** For picocli. */
    public RouterOptions() {
    }

    public RouterOptions(Path stateDir, int listenPort, String listenHost, int samplesPerVersion) {
        this.stateDir = stateDir;
        this.listenPort = listenPort;
        this.listenHost = listenHost;
        this.samplesPerVersion = samplesPerVersion;
    }

    public Path stateDir() {
        return stateDir;
    }

    public int listenPort() {
        return listenPort;
    }

    public String listenHost() {
        return listenHost;
    }

    public int samplesPerVersion() {
        return samplesPerVersion;
    }

    /** Checks what picocli cannot; throws with a message for a person. */
    void validate() {
        if (stateDir == null) {
            throw new IllegalArgumentException("--state-dir is required");
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("--listen-port must be from 0 to 65535, got " + listenPort);
        }
        if (listenHost == null || listenHost.isBlank()) {
            throw new IllegalArgumentException("--listen-host must not be empty");
        }
        if (samplesPerVersion < 1 || samplesPerVersion > 50_000_000) {
            throw new IllegalArgumentException("--samples-per-version must be from 1 to 50000000, got " + samplesPerVersion);
        }
    }
}
