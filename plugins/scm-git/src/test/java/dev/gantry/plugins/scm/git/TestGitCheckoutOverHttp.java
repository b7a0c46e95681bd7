package dev.gantry.plugins.scm.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.scm.CheckoutRequest;
import dev.gantry.plugin.api.scm.CheckoutResult;
import dev.gantry.plugin.api.scm.CommitNotFoundException;
import dev.gantry.plugin.api.scm.ScmCredentials;
import dev.gantry.plugin.api.scm.ScmProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkouts from git's own HTTP server ({@code git http-backend}), private behind basic authentication. */
class TestGitCheckoutOverHttp {
    private static final String TOKEN = "glpat-s3cr3t-T0ken";
    private static final Instant FIRST = Instant.parse("2025-04-01T08:00:00Z");
    private static final Instant SECOND = Instant.parse("2025-04-02T09:00:00Z");

    @TempDir
    Path temp;
    private GitRepositories repositories;
    private String first;
    private String second;

    @BeforeEach
    void repository() throws IOException {
        repositories = GitRepositories.create(temp.resolve("remote"));
        first = repositories.write(Map.of("app.txt", "one\n", "run.sh*", "#!/bin/sh\n")).commit("first", FIRST);
        second = repositories.write(Map.of("app.txt", "two\n")).commit("second", SECOND);
        repositories.push();
    }

    private ScmProvider github() {
        return new GitHubScmProvider(new PluginConfig(Map.of()), new TestWorkspace(temp.resolve("workspace")));
    }

    private CheckoutRequest request(String url, String sha, String directory, ScmCredentials credentials) {
        return new CheckoutRequest(url, sha, temp.resolve(directory), Optional.ofNullable(credentials));
    }

    private static ScmCredentials token(String username, String token) {
        return new ScmCredentials(Optional.ofNullable(username), Optional.of(token), Optional.empty());
    }

    @Test
    void checksOutAPrivateRepositoryWithATokenAndLeavesItNowhereInGit() throws IOException {
        try (GitHttpServer server = new GitHttpServer(repositories.bare().getParent(), "x-access-token", TOKEN, true)) {
            CheckoutResult result = github().checkout(request(server.url("origin.git"), second, "private",
                    token(null, TOKEN)));

            assertThat(result).isEqualTo(new CheckoutResult(second, SECOND));
            Path tree = temp.resolve("private");
            assertThat(tree.resolve("app.txt")).hasContent("two");
            assertThat(Files.isExecutable(tree.resolve("run.sh"))).isTrue();
            assertThat(server.requests()).first().asString().endsWith("-> 401");
            assertThat(server.requests()).anyMatch(line -> line.startsWith("POST /origin.git/git-upload-pack -> cgi"));
            for (Path file : TestGitCheckout.files(tree.resolve(".git"))) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(content).as(file.toString()).doesNotContain(TOKEN, "x-access-token", "127.0.0.1");
            }
        }
    }

    @Test
    void eachForgeSendsATokenAsItExpectsIt() throws IOException {
        Path root = repositories.bare().getParent();
        PluginConfig config = new PluginConfig(Map.of());
        TestWorkspace workspace = new TestWorkspace(temp.resolve("workspace"));
        try (GitHttpServer gitlab = new GitHttpServer(root, "oauth2", TOKEN, true);
                GitHttpServer gitea = new GitHttpServer(root, TOKEN, "x-oauth-basic", true);
                GitHttpServer giteaUser = new GitHttpServer(root, "alice", TOKEN, true)) {
            assertThat(new GitLabScmProvider(config, workspace).checkout(request(gitlab.url("origin.git"), second,
                    "gitlab", token(null, TOKEN))).commitSha()).isEqualTo(second);
            assertThat(new GiteaScmProvider(config, workspace).checkout(request(gitea.url("origin.git"), second,
                    "gitea", token(null, TOKEN))).commitSha()).isEqualTo(second);
            assertThat(new GiteaScmProvider(config, workspace).checkout(request(giteaUser.url("origin.git"), second,
                    "gitea-user", token("alice", TOKEN))).commitSha()).isEqualTo(second);
        }
    }

    @Test
    void aWrongTokenIsRefusedWithoutShowingIt() throws IOException {
        try (GitHttpServer server = new GitHttpServer(repositories.bare().getParent(), "x-access-token", TOKEN, true)) {
            String url = server.url("origin.git");

            assertThatThrownBy(() -> github().checkout(request(url, second, "wrong", token(null, "not-the-token"))))
                    .isExactlyInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot fetch from " + url + ": ")
                    .hasMessageContaining("not authorized")
                    .hasMessageNotContaining("not-the-token");
            assertThatThrownBy(() -> github().checkout(request(url, second, "none", null)))
                    .isExactlyInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot fetch from " + url + ": ");
            assertThat(temp.resolve("wrong")).isEmptyDirectory();
        }
    }

    @Test
    void credentialsInTheUrlNeverReachTheMessage() throws IOException {
        try (GitHttpServer server = new GitHttpServer(repositories.bare().getParent(), "x-access-token", TOKEN, true)) {
            String url = server.url("missing.git");
            String withCredentials = url.replace("http://", "http://x-access-token:" + TOKEN + "@");

            assertThatThrownBy(() -> github().checkout(request(withCredentials, second, "missing", token(null, TOKEN))))
                    .isExactlyInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot fetch from " + url + ": ")
                    .hasMessageNotContaining(TOKEN)
                    .satisfies(e -> assertThat(e.getCause()).as("JGit's exception repeats the URL").isNull());
        }
    }

    @Test
    void aProtocolV2ServerHandsOutAnOlderCommitAlone() throws IOException {
        try (GitHttpServer server = new GitHttpServer(repositories.bare().getParent(), null, null, true)) {
            CheckoutResult result = github().checkout(request(server.url("origin.git"), first, "older", null));

            assertThat(result).isEqualTo(new CheckoutResult(first, FIRST));
            assertThat(temp.resolve("older/app.txt")).hasContent("one");
            assertThat(temp.resolve("older/.git/shallow")).hasContent(first);
        }
    }

    @Test
    void aProtocolV0ServerOverHttpAlsoHandsOutAnOlderCommitAlone() throws IOException {
        // over HTTP git serves any commit reachable from a branch even in v0, since each request is on its own
        try (GitHttpServer server = new GitHttpServer(repositories.bare().getParent(), null, null, false)) {
            CheckoutResult older = github().checkout(request(server.url("origin.git"), first, "older", null));

            assertThat(older).isEqualTo(new CheckoutResult(first, FIRST));
            assertThat(temp.resolve("older/app.txt")).hasContent("one");
            assertThat(temp.resolve("older/.git/shallow")).hasContent(first);
            assertThatThrownBy(() -> github().checkout(request(server.url("origin.git"),
                    "0123456789abcdef0123456789abcdef01234567", "missing", null)))
                    .isInstanceOf(CommitNotFoundException.class)
                    .hasMessage("commit 0123456789abcdef0123456789abcdef01234567 does not exist in "
                            + server.url("origin.git"));
        }
    }
}
