package dev.gantry.plugins.scm.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.scm.CheckoutRequest;
import dev.gantry.plugin.api.scm.CheckoutResult;
import dev.gantry.plugin.api.scm.ScmCredentials;
import dev.gantry.plugin.api.scm.ScmProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkouts over SSH with a deploy key held only in memory, from git-upload-pack behind an in-process sshd. */
class TestGitCheckoutOverSsh {
    private static final Instant FIRST = Instant.parse("2025-05-01T08:00:00Z");
    private static final Instant SECOND = Instant.parse("2025-05-02T09:00:00Z");

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

    private ScmProvider gitlab() {
        return new GitLabScmProvider(new PluginConfig(Map.of("checkout-timeout", "20s")),
                new TestWorkspace(temp.resolve("workspace")));
    }

    private static PublicKey publicKey(String privateKey) throws IOException {
        return SshSessions.parseKeys(privateKey).get(0).getPublic();
    }

    private CheckoutRequest request(String url, String sha, String directory, String privateKey) {
        return new CheckoutRequest(url, sha, temp.resolve(directory), Optional.of(
                new ScmCredentials(Optional.empty(), Optional.empty(), Optional.of(privateKey))));
    }

    @Test
    void checksOutWithAnEd25519DeployKeyAndRemembersTheHost() throws IOException {
        String key = Keys.generate(temp, "ed25519");
        try (GitSshServer server = new GitSshServer(publicKey(key), true)) {
            String url = server.url(repositories.bare().toString());

            CheckoutResult result = gitlab().checkout(request(url, first, "older", key));

            assertThat(result).isEqualTo(new CheckoutResult(first, FIRST));
            assertThat(temp.resolve("older/app.txt")).hasContent("one");
            assertThat(Files.isExecutable(temp.resolve("older/run.sh"))).isTrue();
            assertThat(temp.resolve("older/.git/shallow")).as("fetched alone").hasContent(first);
            assertThat(server.commands()).allMatch(command -> command.startsWith("git-upload-pack"));
            Path knownHosts = temp.resolve("workspace/ssh/known_hosts");
            assertThat(Files.readString(knownHosts).strip()).startsWith("[127.0.0.1]:" + server.port() + " ");
            for (Path file : TestGitCheckout.files(temp.resolve("older/.git"))) {
                assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain("PRIVATE KEY", "127.0.0.1");
            }

            // a second checkout finds the host it learned
            assertThat(gitlab().checkout(request(url, second, "latest", key)).commitSha()).isEqualTo(second);
        }
        assertThat(Files.list(temp.resolve("workspace/ssh")).map(path -> path.getFileName().toString()).toList())
                .as("the key is never written to disk").containsExactly("known_hosts");
    }

    @Test
    void checksOutWithAnRsaKey() throws IOException {
        String key = Keys.generate(temp, "rsa");
        try (GitSshServer server = new GitSshServer(publicKey(key), true)) {
            assertThat(gitlab().checkout(request(server.url(repositories.bare().toString()), second, "rsa", key))
                    .commitSha()).isEqualTo(second);
        }
    }

    @Test
    void aServerThatHandsOutOnlyAdvertisedCommitsGetsAFullFetch() throws IOException {
        String key = Keys.generate(temp, "ed25519");
        try (GitSshServer server = new GitSshServer(publicKey(key), false)) {
            String url = server.url(repositories.bare().toString());

            CheckoutResult older = gitlab().checkout(request(url, first, "older", key));
            CheckoutResult latest = gitlab().checkout(request(url, second, "latest", key));

            assertThat(older).isEqualTo(new CheckoutResult(first, FIRST));
            assertThat(temp.resolve("older/app.txt")).hasContent("one");
            assertThat(temp.resolve("older/.git/shallow")).as("fetched with its history").doesNotExist();
            assertThat(latest).isEqualTo(new CheckoutResult(second, SECOND));
            assertThat(temp.resolve("latest/.git/shallow")).as("a branch tip is advertised").hasContent(second);
        }
    }

    @Test
    void aKeyTheServerDoesNotKnowIsRefused() throws IOException {
        String authorized = Keys.generate(temp, "ed25519");
        String other = Keys.generate(temp, "rsa");
        try (GitSshServer server = new GitSshServer(publicKey(authorized), true)) {
            String url = server.url(repositories.bare().toString());

            assertThatThrownBy(() -> gitlab().checkout(request(url, second, "refused", other)))
                    .isExactlyInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot fetch from ssh://127.0.0.1:" + server.port())
                    .hasMessageContaining("Cannot log in")
                    .hasMessageNotContaining("PRIVATE KEY");
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void aHostWhoseKeyChangedIsRefused() throws IOException {
        String key = Keys.generate(temp, "ed25519");
        try (GitSshServer server = new GitSshServer(publicKey(key), true)) {
            Path knownHosts = temp.resolve("workspace/ssh/known_hosts");
            Files.createDirectories(knownHosts.getParent());
            String otherHostKey = Files.readString(Path.of(Keys.publicKeyFile(temp, Keys.generate(temp, "ed25519"))));
            Files.writeString(knownHosts, "[127.0.0.1]:" + server.port() + " " + otherHostKey);
            String url = server.url(repositories.bare().toString());

            assertThatThrownBy(() -> gitlab().checkout(request(url, second, "changed", key)))
                    .isExactlyInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot fetch from ssh://127.0.0.1:" + server.port())
                    .hasMessageContaining("ssh/known_hosts");
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void aKeyThatCannotBeReadIsReportedWithoutEchoingIt() {
        String garbage = "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n";

        assertThatThrownBy(() -> gitlab().checkout(request("ssh://git@127.0.0.1:1/repo.git", second, "garbage", garbage)))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageStartingWith("the SSH private key of the credentials cannot be read")
                .hasMessageNotContaining("bm90IGEga2V5");
    }

    @Test
    void anEncryptedKeyIsReportedAsSuch() throws IOException {
        String encrypted = Keys.generate(temp, "ed25519", "a passphrase");

        assertThatThrownBy(() -> gitlab().checkout(request("ssh://git@127.0.0.1:1/repo.git", second, "encrypted", encrypted)))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageStartingWith("the SSH private key of the credentials cannot be read (it must be an unencrypted");
    }

    /** Keys made with ssh-keygen in a temporary directory, as an admin would paste them into a secret. */
    static final class Keys {
        private static int count;

        static String generate(Path temp, String type) throws IOException {
            return generate(temp, type, "");
        }

        static synchronized String generate(Path temp, String type, String passphrase) throws IOException {
            Path file = temp.resolve("keys").resolve(type + "-" + count++);
            Files.createDirectories(file.getParent());
            List<String> command = List.of("ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", "deploy@gantry.test",
                    "-f", file.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (process.waitFor() != 0) {
                    throw new IOException("ssh-keygen failed: " + output);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return Files.readString(file);
        }

        /** The .pub file ssh-keygen wrote beside the key with this content. */
        static String publicKeyFile(Path temp, String privateKey) throws IOException {
            try (var keys = Files.list(temp.resolve("keys"))) {
                for (Path file : keys.toList()) {
                    if (!file.toString().endsWith(".pub") && Files.readString(file).equals(privateKey)) {
                        return file + ".pub";
                    }
                }
            }
            throw new IOException("no such key");
        }
    }
}
