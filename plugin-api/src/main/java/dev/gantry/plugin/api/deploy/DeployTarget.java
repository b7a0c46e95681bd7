package dev.gantry.plugin.api.deploy;

import java.util.Map;
import java.util.Objects;

/**
 * One place a service runs: {@code settings} are the target's deployer configuration from its environment (e.g.
 * {@code router_port}). {@code fence} is the caller's fencing token: every call that changes the target carries it, and
 * a target that has already seen a higher one refuses with {@link StaleFenceException}, so a controller whose lease was
 * taken over cannot act any more.
 */
public record DeployTarget(String service, String environment, String target, Map<String, String> settings, long fence) {
    public DeployTarget {
        Objects.requireNonNull(service, "service is null");
        Objects.requireNonNull(environment, "environment is null");
        Objects.requireNonNull(target, "target is null");
        settings = Map.copyOf(settings);
    }
}
