package dev.gantry.plugins.scm.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real repositories made with the git CLI: a bare repository (what a forge serves) and a working clone that commits
 * and pushes to it with {@code git push}. Author and committer times are set, so tests know a commit's time.
 */
final class GitRepositories {
    private final Path home;
    private final Path bare;
    private final Path work;

    private GitRepositories(Path root) {
        this.home = root.resolve("home");
        this.bare = root.resolve("origin.git");
        this.work = root.resolve("work");
    }

    /** An empty bare repository and a clone of it with branch {@code main}. */
    static GitRepositories create(Path root) throws IOException {
        GitRepositories repositories = new GitRepositories(root);
        Files.createDirectories(repositories.home);
        repositories.git(root, "init", "--quiet", "--bare", "--initial-branch=main", repositories.bare.toString());
        repositories.git(root, "init", "--quiet", "--initial-branch=main", repositories.work.toString());
        repositories.git("remote", "add", "origin", repositories.bare.toString());
        return repositories;
    }

    Path bare() {
        return bare;
    }

    Path work() {
        return work;
    }

    /** Writes files (path → content) in the working clone; a path ending in {@code *} becomes executable. */
    GitRepositories write(Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            boolean executable = file.getKey().endsWith("*");
            Path path = work.resolve(executable ? file.getKey().substring(0, file.getKey().length() - 1) : file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        }
        return this;
    }

    /** Commits everything in the working clone at {@code time}; returns the commit's SHA. */
    String commit(String message, Instant time) throws IOException {
        git("add", "--all");
        return commitStaged(message, time);
    }

    /** Commits what is staged, as is. */
    String commitStaged(String message, Instant time) throws IOException {
        runGit(work, Map.of("GIT_AUTHOR_DATE", time.getEpochSecond() + " +0000",
                "GIT_COMMITTER_DATE", time.getEpochSecond() + " +0000"), "commit", "--quiet", "-m", message);
        return head();
    }

    String head() throws IOException {
        return git("rev-parse", "HEAD").strip();
    }

    void push(String... refs) throws IOException {
        List<String> args = new ArrayList<>(List.of("push", "--quiet", "origin"));
        args.addAll(refs.length == 0 ? List.of("main") : List.of(refs));
        git(args.toArray(String[]::new));
    }

    String git(String... args) throws IOException {
        return git(work, args);
    }

    String git(Path directory, String... args) throws IOException {
        return runGit(directory, Map.of(), args);
    }

    /** git isolated from the machine's and the user's settings. */
    private String runGit(Path directory, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Gantry Test",
                "-c", "user.email=test@gantry.invalid", "-c", "core.fileMode=true"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("HOME", home.toString());
        builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return output;
    }
}
