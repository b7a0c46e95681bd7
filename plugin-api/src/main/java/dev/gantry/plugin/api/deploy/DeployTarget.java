package dev.gantry.plugin.api.deploy;

import java.util.Map;
import java.util.Objects;

/** One place a service runs: {@code settings} are the target's deployer configuration from its environment. */
public record DeployTarget(String service, String environment, String target, Map<String, String> settings) {
    public DeployTarget {
        Objects.requireNonNull(service, "service is null");
        Objects.requireNonNull(environment, "environment is null");
        Objects.requireNonNull(target, "target is null");
        settings = Map.copyOf(settings);
    }
}
