package dev.gantry.plugin.api.deploy;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * A version of a service: its artifact (a tar.gz with {@code bin/start} at its root, fetched from
 * {@code downloadUrl}), its environment variables and the path that answers health checks.
 */
public record VersionSpec(String version, String artifactDigest, URI downloadUrl, Map<String, String> environment,
                          String healthPath) {
    public VersionSpec {
        Objects.requireNonNull(version, "version is null");
        Objects.requireNonNull(artifactDigest, "artifactDigest is null");
        Objects.requireNonNull(downloadUrl, "downloadUrl is null");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(healthPath, "healthPath is null");
    }
}
