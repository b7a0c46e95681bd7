package dev.gantry.plugins.deployer.common;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.VersionSpec;

/** What every deployer checks of a version before it runs any instance of it. */
public final class Versions {
    private Versions() {
    }

    /** Refuses a bad request to run {@code instances} of {@code version}; its artifact's digest as {@code sha256:<hex>}. */
    public static String check(VersionSpec version, int instances) {
        requireNonNull(version, "version is null");
        if (instances < 0) {
            throw new IllegalArgumentException("instances must be 0 or more, got " + instances);
        }
        TargetDirectory.name("version", version.version());
        if (!version.healthPath().startsWith("/") || version.healthPath().chars().anyMatch(c -> c <= ' ')) {
            throw new DeployerException("health path '" + version.healthPath() + "' of version " + version.version()
                    + " must start with '/' and hold no spaces");
        }
        return "sha256:" + Artifacts.hex(version.artifactDigest());
    }
}
