package dev.gantry.plugin.api.scm;

import java.util.Objects;

/** A push to a branch, as a webhook told it. */
public record PushEvent(String repositoryUrl, String branch, String commitSha, String deliveryId) {
    public PushEvent {
        Objects.requireNonNull(repositoryUrl, "repositoryUrl is null");
        Objects.requireNonNull(branch, "branch is null");
        Objects.requireNonNull(commitSha, "commitSha is null");
        Objects.requireNonNull(deliveryId, "deliveryId is null");
    }
}
