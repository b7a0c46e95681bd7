package dev.gantry.plugins.scm.git;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.scm.CheckoutRequest;
import dev.gantry.plugin.api.scm.CheckoutResult;
import dev.gantry.plugin.api.scm.CommitNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;

/**
 * Checks out one commit with JGit, for all three forges. The commit is fetched alone (depth 1, asked for by its
 * SHA) where the server hands out commits that way, as GitHub, GitLab, Gitea and git's own protocol v2 do, so a
 * large repository costs one tree rather than its history. Otherwise, and for an abbreviated SHA, which cannot be
 * asked for, all branches and tags are fetched in full and the SHA is resolved among them. From a repository on this
 * machine (a path or {@code file://} URL) the commit is copied as a depth-1 fetch would leave it, without the fetch
 * protocol ({@link LocalCopy}).
 *
 * <p>The working tree gets the commit's files, byte for byte, with their git modes (executable bit, symbolic links)
 * ({@link WorkTree}); HEAD is detached at the commit. Submodules are not fetched: their directories stay empty. The
 * repository's {@code .git} keeps no trace of the URL or the credentials (no remote, no FETCH_HEAD, no reflog).
 */
final class GitCheckout {
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{4,40}");
    private static final int FULL_SHA_LENGTH = Constants.OBJECT_ID_STRING_LENGTH;
    /** Everything a commit could be reachable from that a server advertises to any client, stored as a clone would. */
    private static final List<RefSpec> ALL_BRANCHES_AND_TAGS =
            List.of(new RefSpec("+refs/heads/*:refs/remotes/origin/*"), new RefSpec("+refs/tags/*:refs/tags/*"));

    /**
     * The checkout's git settings: the build sandboxes run on Linux (executable bits and symbolic links work); no
     * reflog, which would repeat where the objects came from; no background gc racing the clean-up of a failed
     * checkout.
     */
    private static final String REPOSITORY_CONFIG = """
            [core]
            \trepositoryformatversion = 0
            \tfilemode = true
            \tsymlinks = true
            \tbare = false
            \tlogallrefupdates = false
            [gc]
            \tauto = 0
            """;

    private final ScmGitConfig config;
    private final Workspace workspace;
    private final GitAuth.TokenLogin tokenLogin;

    GitCheckout(ScmGitConfig config, Workspace workspace, GitAuth.TokenLogin tokenLogin) {
        this.config = requireNonNull(config, "config is null");
        this.workspace = requireNonNull(workspace, "workspace is null");
        this.tokenLogin = requireNonNull(tokenLogin, "tokenLogin is null");
    }

    CheckoutResult checkout(CheckoutRequest request) throws IOException {
        RemoteUrl remote = RemoteUrl.parse(request.repositoryUrl());
        String sha = request.commitSha().trim().toLowerCase(Locale.ROOT);
        if (!SHA.matcher(sha).matches()) {
            throw new CommitNotFoundException("commit '" + abbreviate(request.commitSha()) + "' does not exist in "
                    + remote.display() + ": a commit SHA has 4 to 40 hexadecimal digits");
        }
        Path directory = request.directory();
        prepareEmpty(directory);
        Deadline deadline = new Deadline(config.checkoutTimeout());
        GitAuth auth = GitAuth.select(remote, request.credentials(), tokenLogin);

        boolean done = false;
        try {
            Path git = createRepository(directory);
            CheckoutResult result = remote.kind() == RemoteUrl.Kind.LOCAL
                    ? checkoutLocal(git, remote, sha, deadline)
                    : checkoutFetched(git, remote, auth, sha, deadline);
            done = true;
            return result;
        } finally {
            if (!done) {
                // leave the directory empty, as received, so the caller may retry into it
                emptyDirectory(directory);
            }
        }
    }

    /**
     * A repository on this machine: the commit is read from it directly, no fetch; its files are written from there
     * and its objects copied into the new repository.
     */
    private static CheckoutResult checkoutLocal(Path git, RemoteUrl remote, String sha, Deadline deadline)
            throws IOException {
        try (Repository source = LocalCopy.open(remote);
                ObjectReader reader = source.newObjectReader();
                RevWalk walk = new RevWalk(reader)) {
            Collection<ObjectId> candidates = sha.length() == FULL_SHA_LENGTH
                    ? List.of(ObjectId.fromString(sha))
                    : reader.resolve(AbbreviatedObjectId.fromString(sha));
            RevCommit commit = walk.parseCommit(commitOf(reader, remote, sha, candidates));
            WorkTree.Written written = WorkTree.write(reader, commit, git.getParent(), deadline);
            LocalCopy.copy(reader, commit, written, git, deadline);
            return finish(git, commit, written);
        }
    }

    /** A repository elsewhere: the commit is fetched into the new repository and its files written from there. */
    private CheckoutResult checkoutFetched(Path git, RemoteUrl remote, GitAuth auth, String sha, Deadline deadline)
            throws IOException {
        try (Repository repository = new FileRepository(git.toFile());
                Connection connection = Connection.open(remote, auth, workspace, deadline)) {
            ObjectId id = fetch(repository, connection, sha);
            Files.deleteIfExists(git.resolve(Constants.FETCH_HEAD));
            try (ObjectReader reader = repository.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
                RevCommit commit = walk.parseCommit(id);
                return finish(git, commit, WorkTree.write(reader, commit, git.getParent(), deadline));
            }
        }
    }

    /** The index of the files written, and HEAD detached at the commit, as git checkout leaves them. */
    private static CheckoutResult finish(Path git, RevCommit commit, WorkTree.Written written) throws IOException {
        WorkTree.writeIndex(git, written);
        Files.writeString(git.resolve(Constants.HEAD), commit.name() + "\n", StandardCharsets.US_ASCII);
        return new CheckoutResult(commit.name(), commit.getCommitterIdent().getWhenAsInstant());
    }

    private ObjectId fetch(Repository repository, Connection connection, String sha) throws IOException {
        if (sha.length() == FULL_SHA_LENGTH) {
            ObjectId id = ObjectId.fromString(sha);
            try {
                connection.fetch(repository, 1, List.of(new RefSpec(sha)));
                if (repository.getObjectDatabase().has(id)) {
                    try (ObjectReader reader = repository.newObjectReader()) {
                        return commitOf(reader, connection.remote(), sha, List.of(id));
                    }
                }
            } catch (TransportException e) {
                if (connection.deadline().passed() || unreachable(e)) {
                    throw connection.failure(e);
                }
                // the server would not hand out a commit it did not advertise, or has none by that SHA
            }
        }
        try {
            connection.fetch(repository, 0, ALL_BRANCHES_AND_TAGS);
        } catch (TransportException e) {
            throw connection.failure(e);
        }
        try (ObjectReader reader = repository.newObjectReader()) {
            Collection<ObjectId> candidates = sha.length() == FULL_SHA_LENGTH
                    ? List.of(ObjectId.fromString(sha))
                    : reader.resolve(AbbreviatedObjectId.fromString(sha));
            return commitOf(reader, connection.remote(), sha, candidates);
        }
    }

    /** The one commit among {@code candidates} that the repository has; tags, trees and blobs do not count. */
    private static ObjectId commitOf(ObjectReader reader, RemoteUrl remote, String sha, Collection<ObjectId> candidates)
            throws IOException {
        List<ObjectId> commits = new ArrayList<>();
        for (ObjectId candidate : candidates) {
            if (reader.has(candidate) && reader.open(candidate).getType() == Constants.OBJ_COMMIT) {
                commits.add(candidate);
            }
        }
        if (commits.isEmpty()) {
            throw new CommitNotFoundException("commit " + sha + " does not exist in " + remote.display());
        }
        if (commits.size() > 1) {
            throw new IOException("commit " + sha + " is ambiguous in " + remote.display() + ": it abbreviates "
                    + commits.size() + " commits (" + String.join(", ", commits.stream().limit(5)
                    .map(ObjectId::name).toList()) + (commits.size() > 5 ? ", …" : "") + "); give more digits");
        }
        return commits.get(0);
    }

    /**
     * A new, empty repository, written as {@code git init} leaves one rather than by JGit's {@code create()}, which
     * probes the file system (executable bits, symbolic links) for every repository: 1 ms instead of 4–5 here.
     */
    private static Path createRepository(Path directory) throws IOException {
        Path git = directory.resolve(Constants.DOT_GIT);
        // what git needs to see a repository, and the pack directory (git init's refs/heads and refs/tags would
        // stay empty); one level at a time, since createDirectories finds the missing levels through exceptions
        Files.createDirectory(git);
        Files.createDirectory(git.resolve("objects"));
        Files.createDirectory(git.resolve("objects").resolve("pack"));
        Files.createDirectory(git.resolve("refs"));
        Files.writeString(git.resolve(Constants.HEAD), "ref: refs/heads/main\n", StandardCharsets.US_ASCII);
        Files.writeString(git.resolve(Constants.CONFIG), REPOSITORY_CONFIG, StandardCharsets.US_ASCII);
        return git;
    }

    private static void prepareEmpty(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory);
        }
        try (Stream<Path> entries = Files.list(directory)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("the checkout directory " + directory + " is not empty");
            }
        }
    }

    private static void emptyDirectory(Path directory) {
        try (Stream<Path> tree = Files.walk(directory)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(directory)).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // nothing left to clean
        } catch (IOException | UncheckedIOException e) {
            // best effort (a file may vanish while the tree is walked): the failure being reported matters more
        }
    }

    /** A failure that another fetch over the same connection settings would only repeat. */
    private static boolean unreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NoRemoteRepositoryException || cause instanceof ConnectException
                    || cause instanceof UnknownHostException || cause instanceof NoRouteToHostException
                    || cause instanceof SocketTimeoutException || cause instanceof InterruptedIOException) {
                return true;
            }
            String message = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("not authorized") || message.contains("authentication")
                    || message.contains("auth fail") || message.contains("permission denied")
                    || message.contains("cannot log in") || message.contains("did not validate")) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }

    /** When the checkout must be over, read by JGit through its progress monitor and its I/O timeout. */
    record Deadline(Duration budget, Instant end) implements ProgressMonitor {
        Deadline(Duration budget) {
            this(budget, Instant.now().plus(budget));
        }

        boolean passed() {
            return !Instant.now().isBefore(end);
        }

        /** JGit's per-read timeout: what is left of the budget, at least one second. */
        int secondsLeft() {
            long left = Duration.between(Instant.now(), end).toSeconds();
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
        }

        @Override
        public boolean isCancelled() {
            return passed() || Thread.currentThread().isInterrupted();
        }

        @Override
        public void start(int totalTasks) {
        }

        @Override
        public void beginTask(String title, int totalWork) {
        }

        @Override
        public void update(int completed) {
        }

        @Override
        public void endTask() {
        }

        @Override
        public void showDuration(boolean enabled) {
        }
    }

    /** The remote end of one checkout with its credentials; the SSH client, if any, is closed with it. */
    private record Connection(RemoteUrl remote, GitAuth auth, SshdSessionFactory ssh, Deadline deadline)
            implements AutoCloseable {
        static Connection open(RemoteUrl remote, GitAuth auth, Workspace workspace, Deadline deadline)
                throws IOException {
            SshdSessionFactory ssh = auth instanceof GitAuth.SshKey key
                    ? SshSessions.withKey(key.privateKey(), workspace.root().resolve("ssh")) : null;
            return new Connection(remote, auth, ssh, deadline);
        }

        /** Fetches; a {@link TransportException} comes out as JGit threw it, for the caller to judge. */
        void fetch(Repository repository, int depth, List<RefSpec> refSpecs) throws IOException {
            try (Transport transport = Transport.open(repository, remote.uri())) {
                transport.setTimeout(deadline.secondsLeft());
                transport.setTagOpt(TagOpt.NO_TAGS);
                if (depth > 0) {
                    transport.setDepth(depth);
                }
                if (auth instanceof GitAuth.Http http) {
                    transport.setCredentialsProvider(
                            new UsernamePasswordCredentialsProvider(http.username(), http.password()));
                }
                if (ssh != null && transport instanceof SshTransport sshTransport) {
                    sshTransport.setSshSessionFactory(ssh);
                }
                transport.fetch(deadline, refSpecs);
            } catch (TransportException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw failure(e);
            }
        }

        /**
         * An IOException naming the URL (without credentials) and why, or the timeout that ended it. JGit's own
         * exception is kept as the cause only when the URL holds no credentials, since JGit's messages repeat the
         * URL with its user name, which may be a token.
         */
        IOException failure(Exception cause) {
            String message = deadline.passed()
                    ? "checkout from " + remote.display() + " did not finish within "
                            + ScmGitConfig.describe(deadline.budget()) + " (" + ScmGitConfig.PREFIX + "checkout-timeout)"
                    : "cannot fetch from " + remote.display() + ": " + reason(cause);
            return remote.hasCredentials() ? new IOException(message) : new IOException(message, cause);
        }

        private String reason(Throwable failure) {
            String message = remote.clean(failure.getMessage());
            // JGit starts its messages with the URL, which the caller's message already names
            for (String prefix : List.of(remote.display() + ": ", remote.uri().toString() + ": ")) {
                if (message.startsWith(prefix)) {
                    message = message.substring(prefix.length());
                }
            }
            if (message.isBlank()) {
                message = failure.getClass().getSimpleName();
            }
            Throwable cause = failure.getCause();
            if (cause != null && cause != failure && cause.getMessage() != null
                    && !message.contains(remote.clean(cause.getMessage()))) {
                message += " (" + remote.clean(cause.getMessage()) + ")";
            }
            if (auth instanceof GitAuth.Http http) {
                message = message.replace(http.password(), "***");
            }
            if (message.contains("Server key did not validate")) {
                message += " (the host's key is not the one remembered in the plugin workspace's ssh/known_hosts;"
                        + " if it was changed on purpose, remove the host's line there)";
            }
            return message;
        }

        @Override
        public void close() {
            if (ssh != null) {
                ssh.close();
            }
        }
    }
}
