package dev.gantry.server.scm;

import java.time.Instant;
import java.util.List;

/**
 * A repository as the API shows it; {@code webhook_secret} only in the answer that created it (shown once, like a
 * token), {@code webhook_url} the path to point the provider's webhook at.
 */
public record RepositoryRepresentation(String id, String name, String url, String provider, String defaultBranch,
                                       List<String> branches, CredentialNames credentials, String webhookUrl,
                                       String webhookSecret, Instant createdAt, String createdBy) {
    public record CredentialNames(String username, String tokenSecret, String sshKeySecret) {
    }

    static RepositoryRepresentation of(Repository repository, String webhookSecret) {
        Repository.Credentials credentials = repository.credentials();
        return new RepositoryRepresentation(repository.id(), repository.name(), repository.url(), repository.provider(),
                repository.defaultBranch(), repository.branches(),
                new CredentialNames(credentials.username().orElse(null), credentials.tokenSecret().orElse(null),
                        credentials.sshKeySecret().orElse(null)),
                "/api/webhooks/" + repository.provider(), webhookSecret, repository.createdAt(), repository.createdBy());
    }
}
