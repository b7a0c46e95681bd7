package dev.gantry.plugin.api.scm;

import java.util.Objects;
import java.util.Optional;

/**
 * How to authenticate a checkout of a private repository: a user name and token (or password) over HTTPS, or an
 * SSH private key (OpenSSH PEM) for {@code ssh://} and {@code git@host:} URLs. Values come from Gantry's secrets;
 * never log them ({@link #toString()} does not show them).
 */
public record ScmCredentials(Optional<String> username, Optional<String> token, Optional<String> sshPrivateKey) {
    public ScmCredentials {
        Objects.requireNonNull(username, "username is null");
        Objects.requireNonNull(token, "token is null");
        Objects.requireNonNull(sshPrivateKey, "sshPrivateKey is null");
    }

    @Override
    public String toString() {
        return "ScmCredentials[username=" + username.orElse("-") + ", token=" + (token.isPresent() ? "***" : "-")
                + ", sshPrivateKey=" + (sshPrivateKey.isPresent() ? "***" : "-") + "]";
    }
}
