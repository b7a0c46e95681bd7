package dev.gantry.plugins.scm.git;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.scm.CheckoutRequest;
import dev.gantry.plugin.api.scm.ScmCredentials;
import dev.gantry.plugin.api.scm.ScmProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a checkout of a small repository (60 files, 20 commits) takes, over each transport; prints the median of
 * 20 runs after 3 warm-up runs. Not part of the build (its name matches no test pattern); run it with
 * {@code ./mvnw -pl plugins/scm-git test -Dtest=GitCheckoutBenchmark}. It asserts nothing about time.
 */
class GitCheckoutBenchmark {
    private static final int WARM_UP = 3;
    private static final int RUNS = 20;

    @TempDir
    Path temp;
    private int directories;

    @Test
    void checkoutOfASmallRepository() throws Exception {
        GitRepositories repositories = GitRepositories.create(temp.resolve("remote"));
        String head = null;
        for (int commit = 0; commit < 20; commit++) {
            Map<String, String> files = new HashMap<>();
            for (int file = 0; file < 60; file++) {
                files.put("src/module" + file % 6 + "/File" + file + ".java",
                        "class File" + file + " { int version = " + commit + "; }\n".repeat(1 + file % 20));
            }
            files.put("bin/start*", "#!/bin/sh\necho " + commit + "\n");
            head = repositories.write(files).commit("commit " + commit, Instant.parse("2025-01-01T00:00:00Z").plusSeconds(commit));
        }
        repositories.push();
        ScmProvider provider = new GitHubScmProvider(new PluginConfig(Map.of()), new TestWorkspace(temp.resolve("workspace")));
        String key = TestGitCheckoutOverSsh.Keys.generate(temp, "ed25519");
        Optional<ScmCredentials> sshKey = Optional.of(new ScmCredentials(Optional.empty(), Optional.empty(), Optional.of(key)));

        System.out.println(measure("path (JGit in-process)", provider, repositories.bare().toString(), head, Optional.empty()));
        try (GitHttpServer http = new GitHttpServer(repositories.bare().getParent(), "x-access-token", "t0ken", true)) {
            Optional<ScmCredentials> token = Optional.of(new ScmCredentials(Optional.empty(), Optional.of("t0ken"), Optional.empty()));
            System.out.println(measure("http, token (git http-backend CGI)", provider, http.url("origin.git"), head, token));
        }
        try (GitSshServer ssh = new GitSshServer(SshSessions.parseKeys(key).get(0).getPublic(), true)) {
            System.out.println(measure("ssh, ed25519 key (sshd + git-upload-pack)", provider,
                    ssh.url(repositories.bare().toString()), head, sshKey));
        }
    }

    private String measure(String name, ScmProvider provider, String url, String commit,
            Optional<ScmCredentials> credentials) throws IOException {
        List<Long> micros = new ArrayList<>();
        for (int run = 0; run < WARM_UP + RUNS; run++) {
            Path directory = temp.resolve("checkout-" + directories++);
            long start = System.nanoTime();
            provider.checkout(new CheckoutRequest(url, commit, directory, credentials));
            long elapsed = (System.nanoTime() - start) / 1000;
            if (run >= WARM_UP) {
                micros.add(elapsed);
            }
        }
        Collections.sort(micros);
        double median = (micros.get(RUNS / 2 - 1) + micros.get(RUNS / 2)) / 2000.0;
        return String.format("checkout %-45s median %7.1f ms  min %7.1f ms  max %7.1f ms  (%d runs)", name, median,
                micros.get(0) / 1000.0, micros.get(RUNS - 1) / 1000.0, RUNS);
    }
}
