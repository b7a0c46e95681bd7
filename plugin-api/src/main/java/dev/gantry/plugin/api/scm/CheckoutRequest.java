package dev.gantry.plugin.api.scm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Which commit of which repository to check out into {@code directory}, an empty directory. */
public record CheckoutRequest(String repositoryUrl, String commitSha, Path directory, Optional<ScmCredentials> credentials) {
    public CheckoutRequest {
        Objects.requireNonNull(repositoryUrl, "repositoryUrl is null");
        Objects.requireNonNull(commitSha, "commitSha is null");
        Objects.requireNonNull(directory, "directory is null");
        Objects.requireNonNull(credentials, "credentials is null");
    }
}
