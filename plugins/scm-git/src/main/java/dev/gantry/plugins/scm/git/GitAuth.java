package dev.gantry.plugins.scm.git;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.scm.ScmCredentials;
import java.util.Optional;

/**
 * How one checkout authenticates, chosen from how the repository is reached and the credentials the server holds
 * for it: a token over HTTP(S), an SSH key over SSH, nothing otherwise (a local path, {@code git://}, or a public
 * repository). Credentials that do not fit the URL are not used.
 */
sealed interface GitAuth {
    static GitAuth select(RemoteUrl url, Optional<ScmCredentials> credentials, TokenLogin tokenLogin) {
        requireNonNull(url, "url is null");
        requireNonNull(credentials, "credentials is null");
        requireNonNull(tokenLogin, "tokenLogin is null");
        if (credentials.isEmpty()) {
            return new Anonymous();
        }
        ScmCredentials given = credentials.get();
        return switch (url.kind()) {
            case HTTP -> given.token().filter(token -> !token.isEmpty())
                    .<GitAuth>map(token -> tokenLogin.login(given.username().filter(name -> !name.isBlank()), token))
                    .orElseGet(Anonymous::new);
            case SSH -> given.sshPrivateKey().filter(key -> !key.isBlank())
                    .<GitAuth>map(SshKey::new)
                    .orElseGet(Anonymous::new);
            case LOCAL, OTHER -> new Anonymous();
        };
    }

    /** No credentials. */
    record Anonymous() implements GitAuth {
    }

    /** HTTP basic authentication; the password is usually a token. */
    record Http(String username, String password) implements GitAuth {
        public Http {
            requireNonNull(username, "username is null");
            requireNonNull(password, "password is null");
        }

        @Override
        public String toString() {
            return "Http[username=" + username + ", password=***]";
        }
    }

    /** An SSH private key in OpenSSH or PEM form, held in memory only. */
    record SshKey(String privateKey) implements GitAuth {
        public SshKey {
            requireNonNull(privateKey, "privateKey is null");
        }

        @Override
        public String toString() {
            return "SshKey[***]";
        }
    }

    /**
     * How a forge takes a token over HTTPS when the credentials name no user: as the password of a fixed user name
     * (GitHub {@code x-access-token}, GitLab {@code oauth2}), or as the user name itself (Gitea).
     */
    record TokenLogin(Optional<String> defaultUsername) {
        /** Gitea's form for a bare token: the token as user name, {@code x-oauth-basic} as password. */
        static final TokenLogin TOKEN_AS_USERNAME = new TokenLogin(Optional.empty());
        static final String TOKEN_PASSWORD = "x-oauth-basic";

        public TokenLogin {
            requireNonNull(defaultUsername, "defaultUsername is null");
        }

        static TokenLogin username(String username) {
            return new TokenLogin(Optional.of(requireNonNull(username, "username is null")));
        }

        Http login(Optional<String> username, String token) {
            if (username.isPresent()) {
                return new Http(username.get(), token);
            }
            return defaultUsername.map(name -> new Http(name, token)).orElseGet(() -> new Http(token, TOKEN_PASSWORD));
        }
    }
}
