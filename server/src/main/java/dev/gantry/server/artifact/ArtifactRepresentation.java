package dev.gantry.server.artifact;

import java.time.Instant;
import java.util.List;

/**
 * An artifact as the API shows it. {@code download_url} fetches the bytes without a Gantry token until
 * {@code download_url_expires_at}; {@code corrupt} is null unless the stored bytes were found not to match.
 */
public record ArtifactRepresentation(
        String sha,
        long sizeBytes,
        String state,
        Instant createdAt,
        String createdBy,
        Corruption corrupt,
        List<Provenance> provenance,
        List<Pin> pins,
        boolean hasSbom,
        String downloadUrl,
        Instant downloadUrlExpiresAt) {

    public record Provenance(String buildId, String commitSha, String service, Instant recordedAt) {
    }

    public record Pin(String owner, String reason, Instant pinnedAt, String pinnedBy) {
    }

    public record Corruption(String reason, Instant detectedAt) {
    }
}
