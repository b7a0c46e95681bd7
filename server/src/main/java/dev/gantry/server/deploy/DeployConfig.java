package dev.gantry.server.deploy;

import dev.gantry.server.config.Settings;
import java.time.Duration;

/** {@code deploy.*} settings: how long a replica's hold on a deploy lasts without renewal, how often gates look. */
public record DeployConfig(Duration leaseTtl, Duration gateInterval) {
    public static DeployConfig from(Settings settings) {
        Duration lease = settings.duration("deploy.lease-ttl", Duration.ofSeconds(15));
        if (lease.compareTo(Duration.ofSeconds(3)) < 0) {
            settings.problem("deploy.lease-ttl", "must be at least 3s");
            lease = Duration.ofSeconds(15);
        }
        Duration gate = settings.duration("deploy.gate-interval", Duration.ofMillis(500));
        if (gate.isZero() || gate.compareTo(Duration.ofMinutes(1)) > 0) {
            settings.problem("deploy.gate-interval", "must be more than 0 and at most 1m");
            gate = Duration.ofMillis(500);
        }
        return new DeployConfig(lease, gate);
    }
}
