package dev.gantry.server.build;

import dev.gantry.server.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Build settings: how many builds this server's agent runs at once ({@code build.agent.slots}; 0 turns the agent
 * off), per builder ({@code build.concurrency.sandbox}, {@code build.concurrency.docker}), the log cap, how long an
 * agent's lease lasts without a heartbeat, the attempts a build gets when agents die under it, and the branches
 * whose builds jump the queue. {@code build.agent.labels} are the labels of this server's agent besides its
 * builders' kinds.
 */
public record BuildConfig(int agentSlots, Set<String> agentLabels, int sandboxConcurrency, int dockerConcurrency,
                          long logLimitBytes, Duration leaseTtl, int maxAttempts, List<String> priorityBranches, Path workDir,
                          Path cacheDir) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    public static BuildConfig from(Settings settings, Path dataDir) {
        int slots = settings.integer("build.agent.slots", Math.max(2, Runtime.getRuntime().availableProcessors()), 0, 256);
        Set<String> labels = labels(settings, "build.agent.labels");
        int sandbox = settings.integer("build.concurrency.sandbox", Math.max(slots, 1), 1, 256);
        int docker = settings.integer("build.concurrency.docker", Math.max(slots, 1), 1, 256);
        int logLimitMib = settings.integer("build.log-limit-mib", 10, 1, 1024);
        Duration lease = settings.duration("build.lease-ttl", Duration.ofSeconds(30));
        if (lease.compareTo(Duration.ofSeconds(2)) < 0) {
            settings.problem("build.lease-ttl", "must be at least 2s");
            lease = Duration.ofSeconds(30);
        }
        int attempts = settings.integer("build.max-attempts", 3, 1, 10);
        List<String> priority = Arrays.stream(settings.string("build.priority-branches", "hotfix/*,hotfix-*").split(","))
                .map(String::trim).filter(pattern -> !pattern.isEmpty()).toList();
        return new BuildConfig(slots, labels, sandbox, docker, logLimitMib * 1024L * 1024L, lease, attempts, priority,
                dataDir.resolve("builds"), dataDir.resolve("cache"));
    }

    /** A comma-separated list of agent labels (beyond the builders' kinds, which every agent carries). */
    static Set<String> labels(Settings settings, String key) {
        Set<String> labels = new TreeSet<>();
        for (String label : settings.string(key, "").split(",")) {
            String trimmed = label.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!LABEL.matcher(trimmed).matches()) {
                settings.problem(key, "'" + trimmed + "' is not a valid label: use 1 to 63 lowercase letters, digits, '_', '.' and '-'");
            } else {
                labels.add(trimmed);
            }
        }
        return Set.copyOf(labels);
    }

    public int concurrency(String builder) {
        return switch (builder) {
            case "sandbox" -> sandboxConcurrency;
            case "docker" -> dockerConcurrency;
            default -> Math.max(agentSlots, 1);
        };
    }
}
