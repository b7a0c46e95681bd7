package dev.gantry.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real git repository for tests: a bare repository on disk, and a working clone that commits and pushes to it. */
final class GitRepo {
    private final Path bare;
    private final Path work;

    private GitRepo(Path bare, Path work) {
        this.bare = bare;
        this.work = work;
    }

    static GitRepo create(Path dir, String name) {
        Path bare = dir.resolve(name + ".git");
        Path work = dir.resolve(name + "-work");
        git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(dir, "init", "-q", "-b", "main", work.toString());
        git(work, "config", "user.email", "dev@example.com");
        git(work, "config", "user.name", "Dev");
        git(work, "remote", "add", "origin", bare.toString());
        return new GitRepo(bare, work);
    }

    Path bare() {
        return bare;
    }

    /** Writes {@code files} (path → content; a path ending in {@code *} is made executable), commits, pushes; returns the SHA. */
    String commit(String branch, String message, Map<String, String> files) {
        git(work, "checkout", "-q", "-B", branch);
        try {
            for (Map.Entry<String, String> file : files.entrySet()) {
                boolean executable = file.getKey().endsWith("*");
                Path path = work.resolve(executable ? file.getKey().substring(0, file.getKey().length() - 1) : file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
                path.toFile().setExecutable(executable, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git(work, "add", "-A");
        git(work, "commit", "-q", "--allow-empty", "-m", message);
        git(work, "push", "-q", "origin", branch);
        return git(work, "rev-parse", "HEAD").trim();
    }

    /** Makes {@code count} empty commits on {@code branch}, pushes them at once and returns their SHAs, oldest first. */
    List<String> emptyCommits(String branch, int count) {
        git(work, "checkout", "-q", "-B", branch);
        for (int i = 1; i <= count; i++) {
            git(work, "commit", "-q", "--allow-empty", "-m", "empty " + i);
        }
        git(work, "push", "-q", "origin", branch);
        List<String> shas = new ArrayList<>(List.of(git(work, "rev-list", "--reverse", "-n", String.valueOf(count), "HEAD")
                .trim().split("\n")));
        return shas;
    }

    private static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
