package dev.gantry.plugins.scm.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.scm.CheckoutRequest;
import dev.gantry.plugin.api.scm.CheckoutResult;
import dev.gantry.plugin.api.scm.CommitNotFoundException;
import dev.gantry.plugin.api.scm.ScmCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.TreeFormatter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestGitCheckout {
    private static final Instant FIRST = Instant.parse("2025-03-01T10:00:00Z");
    private static final Instant SECOND = Instant.parse("2025-03-02T11:30:00Z");

    @TempDir
    Path temp;
    private GitRepositories repositories;
    private GitCheckout checkout;
    private String first;
    private String second;

    @BeforeEach
    void repositoryWithTwoCommits() throws IOException {
        repositories = GitRepositories.create(temp.resolve("remote"));
        first = repositories.write(Map.of("README.md", "version one\n", "bin/start*", "#!/bin/sh\necho one\n"))
                .commit("first", FIRST);
        second = repositories.write(Map.of("README.md", "version two\n", "bin/start*", "#!/bin/sh\necho two\n",
                "docs/added.txt", "added later\n")).commit("second", SECOND);
        repositories.push();
        checkout = checkout(Duration.ofMinutes(1));
    }

    private GitCheckout checkout(Duration timeout) {
        return new GitCheckout(new ScmGitConfig(timeout), new TestWorkspace(temp.resolve("workspace")),
                GitAuth.TokenLogin.username("x-access-token"));
    }

    private CheckoutRequest request(String url, String sha, String directory) {
        return new CheckoutRequest(url, sha, temp.resolve(directory), Optional.empty());
    }

    @Test
    void checksOutTheLatestCommitAloneWithItsFilesModesAndTime() throws IOException {
        CheckoutResult result = checkout.checkout(request(repositories.bare().toString(), second, "latest"));

        Path tree = temp.resolve("latest");
        assertThat(result).isEqualTo(new CheckoutResult(second, SECOND));
        assertThat(tree.resolve("README.md")).hasContent("version two");
        assertThat(tree.resolve("docs/added.txt")).hasContent("added later");
        assertThat(Files.isExecutable(tree.resolve("bin/start"))).as("bin/start keeps its executable bit").isTrue();
        assertThat(Files.isExecutable(tree.resolve("README.md"))).isFalse();
        assertThat(repositories.git(tree, "rev-parse", "HEAD").strip()).isEqualTo(second);
        assertThat(repositories.git(tree, "status", "--porcelain")).as("a clean working tree").isEmpty();
        repositories.git(tree, "fsck", "--strict", "--no-dangling");
        // fetched alone: a shallow repository without the parent commit
        assertThat(tree.resolve(".git/shallow")).hasContent(second);
        assertThat(repositories.git(tree, "cat-file", "-t", second).strip()).isEqualTo("commit");
        assertThatThrownBy(() -> repositories.git(tree, "cat-file", "-t", first)).isInstanceOf(IOException.class);
    }

    @Test
    void copiesAFileLargerThanJGitKeepsInMemoryWhole() throws IOException {
        // JGit streams objects over 50 MiB instead of loading them
        String large = "0123456789abcdef".repeat(52 * 1024 * 1024 / 16);
        String sha = repositories.write(Map.of("data/large.bin", large)).commit("large", SECOND.plusSeconds(60));
        repositories.push();

        checkout.checkout(request(repositories.bare().toString(), sha, "large"));

        Path file = temp.resolve("large/data/large.bin");
        assertThat(Files.size(file)).isEqualTo(large.length());
        assertThat(Files.readString(file)).isEqualTo(large);
        repositories.git(temp.resolve("large"), "fsck", "--strict", "--no-dangling");
        assertThat(repositories.git(temp.resolve("large"), "status", "--porcelain")).isEmpty();
    }

    @Test
    void checksOutAnOlderCommitAsItWas() throws IOException {
        CheckoutResult result = checkout.checkout(request("file://" + repositories.bare(), first, "older"));

        Path tree = temp.resolve("older");
        assertThat(result).isEqualTo(new CheckoutResult(first, FIRST));
        assertThat(tree.resolve("README.md")).hasContent("version one");
        assertThat(tree.resolve("bin/start")).hasContent("#!/bin/sh\necho one");
        assertThat(Files.isExecutable(tree.resolve("bin/start"))).isTrue();
        assertThat(tree.resolve("docs")).doesNotExist();
        assertThat(repositories.git(tree, "rev-parse", "HEAD").strip()).isEqualTo(first);
    }

    @Test
    void headIsDetachedAndGitKeepsNoRemoteNorFetchHead() throws IOException {
        checkout.checkout(request(repositories.bare().toString(), second, "tree"));

        Path git = temp.resolve("tree/.git");
        assertThat(Files.readString(git.resolve("HEAD")).strip()).isEqualTo(second);
        assertThat(git.resolve("FETCH_HEAD")).doesNotExist();
        assertThat(Files.exists(git.resolve("logs")) ? files(git.resolve("logs")) : List.of()).as("no reflog").isEmpty();
        assertThat(Files.readString(git.resolve("config"))).doesNotContain("remote", repositories.bare().toString());
    }

    @Test
    void acceptsAnAbbreviatedShaAndAnswersWithTheFullOne() throws IOException {
        CheckoutResult result = checkout.checkout(request(repositories.bare().toString(), first.substring(0, 7).toUpperCase(),
                "abbreviated"));

        assertThat(result).isEqualTo(new CheckoutResult(first, FIRST));
        assertThat(temp.resolve("abbreviated/README.md")).hasContent("version one");
    }

    @Test
    void findsACommitThatOnlyATagReaches() throws IOException {
        repositories.git("checkout", "--quiet", "--detach", first);
        String tagged = repositories.write(Map.of("RELEASE", "hotfix\n")).commit("hotfix", SECOND.plusSeconds(60));
        repositories.git("tag", "-a", "-m", "hotfix", "v1.0.1");
        repositories.push("v1.0.1");

        assertThat(checkout.checkout(request(repositories.bare().toString(), tagged.substring(0, 10), "tagged")).commitSha())
                .isEqualTo(tagged);
        assertThat(checkout.checkout(request(repositories.bare().toString(), tagged, "tagged-full")).commitSha())
                .isEqualTo(tagged);
        assertThat(temp.resolve("tagged-full/RELEASE")).hasContent("hotfix");
    }

    @Test
    void refusesAnAmbiguousAbbreviation() throws IOException {
        String prefix = pushCommitsSharingAPrefix();

        assertThatThrownBy(() -> checkout.checkout(request(repositories.bare().toString(), prefix, "ambiguous")))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(CommitNotFoundException.class)
                .hasMessageStartingWith("commit " + prefix + " is ambiguous in " + repositories.bare())
                .hasMessageEndingWith("give more digits");
        assertThat(temp.resolve("ambiguous")).isEmptyDirectory();
    }

    @Test
    void aCommitThatDoesNotExistIsNotFound() {
        String missing = "0123456789abcdef0123456789abcdef01234567";

        assertThatThrownBy(() -> checkout.checkout(request(repositories.bare().toString(), missing, "missing")))
                .isInstanceOf(CommitNotFoundException.class)
                .hasMessage("commit " + missing + " does not exist in " + repositories.bare());
        assertThatThrownBy(() -> checkout.checkout(request(repositories.bare().toString(), "abc1234", "missing")))
                .isInstanceOf(CommitNotFoundException.class)
                .hasMessage("commit abc1234 does not exist in " + repositories.bare());
        assertThat(temp.resolve("missing")).as("left empty for a retry").isEmptyDirectory();
    }

    @Test
    void somethingThatIsNotAShaNamesNoCommit() {
        assertThatThrownBy(() -> checkout.checkout(request(repositories.bare().toString(), "main", "branch")))
                .isInstanceOf(CommitNotFoundException.class)
                .hasMessage("commit 'main' does not exist in " + repositories.bare()
                        + ": a commit SHA has 4 to 40 hexadecimal digits");
    }

    @Test
    void aTreeIsNotACommit() throws IOException {
        String tree = repositories.git("rev-parse", second + "^{tree}").strip();

        assertThatThrownBy(() -> checkout.checkout(request(repositories.bare().toString(), tree, "tree")))
                .isInstanceOf(CommitNotFoundException.class)
                .hasMessage("commit " + tree + " does not exist in " + repositories.bare());
    }

    @Test
    void aRepositoryThatDoesNotExistIsNamedInTheFailure() {
        Path nowhere = temp.resolve("nowhere.git");

        assertThatThrownBy(() -> checkout.checkout(request(nowhere.toString(), second, "a")))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot fetch from " + nowhere);
        assertThatThrownBy(() -> checkout.checkout(request("file://" + nowhere, second, "b")))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot fetch from file://" + nowhere);
    }

    @Test
    void anUnreachableServerIsNamedWithoutTheCredentialsInItsUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://deploy:s3cr3t-token@127.0.0.1:" + closedPort + "/acme/shop.git";

        assertThatThrownBy(() -> checkout.checkout(request(url, second, "unreachable")))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot fetch from http://127.0.0.1:" + closedPort + "/acme/shop.git: ")
                .hasMessageNotContaining("s3cr3t-token")
                .hasMessageNotContaining("deploy");
        assertThat(temp.resolve("unreachable")).isEmptyDirectory();
    }

    @Test
    void aServerThatNeverAnswersEndsAtTheCheckoutTimeout() throws IOException {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/acme/shop.git";

            assertThatThrownBy(() -> checkout(Duration.ofSeconds(1)).checkout(request(url, second, "silent")))
                    .isExactlyInstanceOf(IOException.class)
                    .hasMessage("checkout from " + url + " did not finish within 1s (plugin.scm-git.checkout-timeout)");
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void refusesADirectoryThatIsNotEmpty() throws IOException {
        Files.createDirectories(temp.resolve("used"));
        Files.writeString(temp.resolve("used/left-over"), "x");

        assertThatThrownBy(() -> checkout.checkout(request(repositories.bare().toString(), second, "used")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the checkout directory " + temp.resolve("used") + " is not empty");
        assertThat(temp.resolve("used/left-over")).exists();
    }

    @Test
    void keepsSymbolicLinksAndLeavesSubmodulesEmpty() throws IOException {
        Files.createSymbolicLink(repositories.work().resolve("link"), Path.of("README.md"));
        repositories.write(Map.of(".gitmodules", "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n"
                + "\turl = https://git.invalid/lib.git\n"));
        repositories.git("add", "--all");
        repositories.git("update-index", "--add", "--cacheinfo", "160000," + first + ",vendor/lib");
        String head = repositories.commitStaged("link and submodule", SECOND.plusSeconds(1));
        repositories.push();

        checkout.checkout(request(repositories.bare().toString(), head, "links"));

        Path tree = temp.resolve("links");
        assertThat(Files.isSymbolicLink(tree.resolve("link"))).isTrue();
        assertThat(Files.readSymbolicLink(tree.resolve("link"))).isEqualTo(Path.of("README.md"));
        assertThat(tree.resolve("vendor/lib")).isEmptyDirectory();
    }

    @Test
    void credentialsThatDoNotFitALocalRepositoryAreIgnored() throws IOException {
        ScmCredentials credentials = new ScmCredentials(Optional.of("deploy"), Optional.of("token"), Optional.empty());

        CheckoutResult result = checkout.checkout(new CheckoutRequest(repositories.bare().toString(), second,
                temp.resolve("with-credentials"), Optional.of(credentials)));

        assertThat(result.commitSha()).isEqualTo(second);
    }

    @Test
    void refusesToWriteThroughASymbolicLinkOfTheCommit() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        String sha;
        try (FileRepository bare = new FileRepository(repositories.bare().toFile());
                ObjectInserter inserter = bare.newObjectInserter()) {
            TreeFormatter planted = new TreeFormatter();
            planted.append("planted.txt", FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB, bytes("gotcha\n")));
            // git's order: the link "escape" sorts before the directory "escape/"
            TreeFormatter root = new TreeFormatter();
            root.append("escape", FileMode.SYMLINK, inserter.insert(Constants.OBJ_BLOB, bytes(outside.toString())));
            root.append("escape", FileMode.TREE, inserter.insert(planted));
            sha = commit(inserter, inserter.insert(root));
        }

        assertThatThrownBy(() -> checkout.checkout(request(repositories.bare().toString(), sha, "through-link")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("more than one entry at 'escape'");
        assertThat(outside).isEmptyDirectory();
        assertThat(temp.resolve("through-link")).as("left empty, as received").isEmptyDirectory();
    }

    @Test
    void refusesPathsGitDoesNotCheckOut() throws IOException {
        for (String name : List.of("..", ".git", ".GIT")) {
            String sha;
            try (FileRepository bare = new FileRepository(repositories.bare().toFile());
                    ObjectInserter inserter = bare.newObjectInserter()) {
                TreeFormatter hooks = new TreeFormatter();
                hooks.append("config", FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB, bytes("[core]\n")));
                TreeFormatter root = new TreeFormatter();
                root.append(name, FileMode.TREE, inserter.insert(hooks));
                sha = commit(inserter, inserter.insert(root));
            }
            Path directory = temp.resolve("bad-path-" + name.toLowerCase(java.util.Locale.ROOT).replace('.', 'd'));

            assertThatThrownBy(() -> checkout.checkout(request(repositories.bare().toString(), sha, directory.getFileName().toString())))
                    .as(name)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("has a path git does not check out, '" + name + "'");
            assertThat(directory).as(name).isEmptyDirectory();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String commit(ObjectInserter inserter, ObjectId tree) throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        PersonIdent person = new PersonIdent("Gantry Test", "test@gantry.invalid", SECOND, ZoneOffset.UTC);
        commit.setAuthor(person);
        commit.setCommitter(person);
        commit.setMessage("crafted\n");
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        return id.name();
    }

    /**
     * Pushes a branch of commits until two share their first four hex digits (a few hundred suffice; made with JGit
     * since thousands of git CLI commits would be slow); returns that prefix.
     */
    private String pushCommitsSharingAPrefix() throws IOException {
        try (FileRepository bare = new FileRepository(repositories.bare().toFile());
                ObjectInserter inserter = bare.newObjectInserter()) {
            ObjectId tree = inserter.insert(new TreeFormatter());
            Map<String, ObjectId> byPrefix = new HashMap<>();
            ObjectId parent = ObjectId.fromString(second);
            String prefix = null;
            for (int i = 0; prefix == null; i++) {
                CommitBuilder commit = new CommitBuilder();
                commit.setTreeId(tree);
                commit.setParentId(parent);
                PersonIdent person = new PersonIdent("Gantry Test", "test@gantry.invalid", SECOND.plusSeconds(i), ZoneOffset.UTC);
                commit.setAuthor(person);
                commit.setCommitter(person);
                commit.setMessage("commit " + i + "\n");
                parent = inserter.insert(commit);
                String key = parent.name().substring(0, 4);
                if (byPrefix.putIfAbsent(key, parent) != null) {
                    prefix = key;
                }
            }
            inserter.flush();
            RefUpdate branch = bare.updateRef(Constants.R_HEADS + "many");
            branch.setNewObjectId(parent);
            assertThat(branch.update()).isEqualTo(RefUpdate.Result.NEW);
            return prefix;
        }
    }

    static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> tree = Files.walk(directory)) {
            return tree.filter(Files::isRegularFile).toList();
        }
    }
}
