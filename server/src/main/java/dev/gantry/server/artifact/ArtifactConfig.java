package dev.gantry.server.artifact;

import dev.gantry.server.config.Settings;
import java.time.Duration;

/**
 * Artifact settings: which store holds the bytes ({@code artifact.store}, the kind of an installed
 * {@code ArtifactStore}), how long unpinned artifacts are kept, how often the retention job runs, and how long a
 * signed download URL stays valid.
 */
public record ArtifactConfig(String store, Duration retention, Duration retentionInterval, Duration downloadUrlTtl) {
    public static ArtifactConfig from(Settings settings) {
        String store = settings.string("artifact.store", "fs");
        if (!store.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            settings.problem("artifact.store", "must be the kind of an installed artifact store, such as fs or s3");
        }
        Duration retention = positive(settings, "artifact.retention", Duration.ofDays(90));
        Duration interval = positive(settings, "artifact.retention-interval", Duration.ofHours(1));
        Duration ttl = positive(settings, "artifact.download-url-ttl", Duration.ofMinutes(15));
        if (ttl.compareTo(Duration.ofDays(7)) > 0) {
            settings.problem("artifact.download-url-ttl", "must be at most 7 days (S3 presigned URLs last no longer)");
        }
        return new ArtifactConfig(store, retention, interval, ttl);
    }

    private static Duration positive(Settings settings, String key, Duration defaultValue) {
        Duration value = settings.duration(key, defaultValue);
        if (value.isNegative() || value.isZero()) {
            settings.problem(key, "must be longer than zero");
            return defaultValue;
        }
        return value;
    }
}
