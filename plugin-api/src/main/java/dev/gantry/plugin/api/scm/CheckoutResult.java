package dev.gantry.plugin.api.scm;

import java.time.Instant;
import java.util.Objects;

/** What was checked out: the full commit SHA, and its commit time (the timestamp reproducible artifacts carry). */
public record CheckoutResult(String commitSha, Instant commitTime) {
    public CheckoutResult {
        Objects.requireNonNull(commitSha, "commitSha is null");
        Objects.requireNonNull(commitTime, "commitTime is null");
    }
}
