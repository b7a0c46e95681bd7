package dev.gantry.plugin.api.scm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Which commit to check out where; {@code credentialSecret} names a secret holding a token or SSH key. */
public record CheckoutRequest(String repositoryUrl, String commitSha, Path directory, Optional<String> credentialSecret) {
    public CheckoutRequest {
        Objects.requireNonNull(repositoryUrl, "repositoryUrl is null");
        Objects.requireNonNull(commitSha, "commitSha is null");
        Objects.requireNonNull(directory, "directory is null");
        Objects.requireNonNull(credentialSecret, "credentialSecret is null");
    }
}
