package dev.gantry.plugins.scm.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.scm.ScmCredentials;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestGitAuth {
    private static final GitAuth.TokenLogin GITHUB = GitAuth.TokenLogin.username("x-access-token");
    private static final GitAuth.TokenLogin GITLAB = GitAuth.TokenLogin.username("oauth2");
    private static final GitAuth.TokenLogin GITEA = GitAuth.TokenLogin.TOKEN_AS_USERNAME;
    private static final String KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n";

    private static Optional<ScmCredentials> credentials(String username, String token, String key) {
        return Optional.of(new ScmCredentials(Optional.ofNullable(username), Optional.ofNullable(token),
                Optional.ofNullable(key)));
    }

    private static GitAuth select(String url, Optional<ScmCredentials> credentials, GitAuth.TokenLogin login)
            throws IOException {
        return GitAuth.select(RemoteUrl.parse(url), credentials, login);
    }

    @Test
    void aTokenOverHttpsGoesAsEachForgeExpectsIt() throws IOException {
        String url = "https://git.example.com/acme/shop.git";

        assertThat(select(url, credentials(null, "ghs_token", null), GITHUB))
                .isEqualTo(new GitAuth.Http("x-access-token", "ghs_token"));
        assertThat(select(url, credentials(null, "glpat-token", null), GITLAB))
                .isEqualTo(new GitAuth.Http("oauth2", "glpat-token"));
        assertThat(select(url, credentials(null, "gitea-token", null), GITEA))
                .isEqualTo(new GitAuth.Http("gitea-token", "x-oauth-basic"));
    }

    @Test
    void aUserNameGivenWithTheTokenIsUsed() throws IOException {
        String url = "http://git.example.com/acme/shop.git";

        assertThat(select(url, credentials("deploy-bot", "secret", null), GITHUB))
                .isEqualTo(new GitAuth.Http("deploy-bot", "secret"));
        assertThat(select(url, credentials("alice", "secret", null), GITEA)).isEqualTo(new GitAuth.Http("alice", "secret"));
        assertThat(select(url, credentials(" ", "secret", null), GITLAB)).isEqualTo(new GitAuth.Http("oauth2", "secret"));
    }

    @Test
    void anSshKeyGoesToSshAndScpLikeUrls() throws IOException {
        Optional<ScmCredentials> both = credentials(null, "token", KEY);

        assertThat(select("ssh://git@git.example.com:2222/acme/shop.git", both, GITHUB)).isEqualTo(new GitAuth.SshKey(KEY));
        assertThat(select("git@github.com:acme/shop.git", both, GITHUB)).isEqualTo(new GitAuth.SshKey(KEY));
        assertThat(select("https://github.com/acme/shop.git", both, GITHUB)).isEqualTo(new GitAuth.Http("x-access-token", "token"));
    }

    @Test
    void credentialsThatDoNotFitTheUrlAreNotUsed() throws IOException {
        assertThat(select("https://github.com/acme/shop.git", credentials(null, null, KEY), GITHUB))
                .isEqualTo(new GitAuth.Anonymous());
        assertThat(select("git@github.com:acme/shop.git", credentials("u", "token", null), GITHUB))
                .isEqualTo(new GitAuth.Anonymous());
        assertThat(select("/srv/git/shop.git", credentials("u", "token", KEY), GITHUB)).isEqualTo(new GitAuth.Anonymous());
        assertThat(select("file:///srv/git/shop.git", credentials("u", "token", KEY), GITHUB))
                .isEqualTo(new GitAuth.Anonymous());
        assertThat(select("git://git.example.com/shop.git", credentials("u", "token", KEY), GITHUB))
                .isEqualTo(new GitAuth.Anonymous());
        assertThat(select("https://github.com/acme/shop.git", Optional.empty(), GITHUB)).isEqualTo(new GitAuth.Anonymous());
        assertThat(select("https://github.com/acme/shop.git", credentials("u", "", null), GITHUB))
                .isEqualTo(new GitAuth.Anonymous());
    }

    @Test
    void neverShowsASecretInItsText() {
        assertThat(new GitAuth.Http("x-access-token", "ghs_secret").toString()).doesNotContain("ghs_secret");
        assertThat(new GitAuth.SshKey(KEY).toString()).doesNotContain("PRIVATE KEY");
    }
}
