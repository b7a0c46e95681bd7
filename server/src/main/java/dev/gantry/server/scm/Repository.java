package dev.gantry.server.scm;

import dev.gantry.server.pipeline.When;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A registered repository, as the rest of the server sees it. {@code branches} filters which pushes start builds
 * (glob patterns; empty = every branch). Credentials name secrets of scope {@code repo:<name>}.
 */
public record Repository(String id, String name, String url, String provider, String defaultBranch, List<String> branches,
                         Credentials credentials, Instant createdAt, String createdBy) {
    /** Names of the secrets a checkout authenticates with, and the user name for a token. */
    public record Credentials(Optional<String> username, Optional<String> tokenSecret, Optional<String> sshKeySecret) {
        public static final Credentials NONE = new Credentials(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The scope of this repository's secrets. */
    public String secretScope() {
        return "repo:" + name;
    }

    public boolean buildsBranch(String branch) {
        return branches.isEmpty() || new When(branches).matches(branch);
    }
}
