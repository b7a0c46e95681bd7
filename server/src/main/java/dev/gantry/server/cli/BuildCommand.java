package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gantry build ...}: start builds, list and show them, read and follow their logs, cancel and rerun them. */
@Command(name = "build",
        description = "Start, follow, cancel and rerun builds (see docs/builds.md).",
        subcommands = {BuildCommand.Start.class, BuildCommand.ListBuilds.class, BuildCommand.Show.class,
                BuildCommand.Logs.class, BuildCommand.Cancel.class, BuildCommand.Rerun.class})
public final class BuildCommand extends CommandGroup {

    static String path(String id) {
        return "api/builds/" + ApiClient.segment(id);
    }

    /** Prints a build that was just started, or waits for it to finish first. */
    abstract static class Starting extends ApiCommand {
        @Option(names = "--wait", description = "Wait until the build finished, showing its steps on stderr; "
                + "exit code 1 if it failed or was cancelled.")
        boolean await;

        @Mixin
        WaitOptions waiting;

        int started(ApiClient api, ApiClient.Reply reply) {
            JsonNode build = reply.json();
            if (reply.status() == 200) {
                progress("build " + Json.text(build, "build_id") + " of this commit is already " + Json.text(build, "status"));
            }
            if (!await) {
                print(build, BuildView::details);
                return ExitCodes.OK;
            }
            String id = Json.text(build, "build_id");
            progress("build " + id + " of " + Json.text(build, "repo") + " at " + Format.shortSha(Json.text(build, "commit_sha")));
            JsonNode done = new Poller(waiting.timeout, this::progress)
                    .await("build " + id, () -> api.get(path(id)), BuildView::progress, BuildView::finished);
            print(done, BuildView::details);
            return BuildView.outcome(done, this::progress);
        }
    }

    @Command(name = "start",
            description = "Queue a build of a commit (or show the build of that commit already queued or running).")
    static final class Start extends Starting {
        @Option(names = "--repo", required = true, paramLabel = "REPO", description = "The registered repository, e.g. acme/shop.")
        String repo;

        @Option(names = "--commit", required = true, paramLabel = "SHA", description = "The full commit SHA.")
        String commit;

        @Option(names = "--branch", paramLabel = "BRANCH",
                description = "The branch the commit is on (default: the repository's default branch).")
        String branch;

        @Override
        protected int run(ApiClient api) {
            String onBranch = branch != null ? branch : defaultBranch(api);
            ObjectNode body = Json.MAPPER.createObjectNode().put("repo", repo).put("commit_sha", commit).put("branch", onBranch);
            return started(api, api.post("api/builds", body));
        }

        /** The API needs a branch: the one the repository was registered with as its default. */
        private String defaultBranch(ApiClient api) {
            String name = String.join("/", java.util.Arrays.stream(repo.split("/", -1)).map(ApiClient::segment).toList());
            String found = Json.text(api.get("api/repos/" + name), "default_branch");
            if (found == null) {
                throw new CliException(ExitCodes.USAGE, "repository " + repo + " has no default branch; pass --branch");
            }
            return found;
        }
    }

    @Command(name = "list", description = "List builds, newest first.")
    static final class ListBuilds extends ApiCommand {
        @Option(names = "--repo", paramLabel = "REPO", description = "Only this repository's.")
        String repo;

        @Option(names = "--branch", paramLabel = "BRANCH", description = "Only this branch's.")
        String branch;

        @Option(names = "--status", paramLabel = "STATUS", description = "Only these: queued, building, testing, passed, failed or cancelled.")
        String status;

        @Option(names = "--limit", paramLabel = "N", description = "At most N builds (1-500; default 50).")
        Integer limit;

        @Override
        protected int run(ApiClient api) {
            JsonNode list = api.get(ApiClient.withQuery("api/builds",
                    ApiClient.params("repo", repo, "branch", branch, "status", status, "limit", limit)));
            printList(list, BuildView.table(list), "no builds");
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Show a build: status, stages and steps, artifact.")
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The build's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            print(api.get(path(id)), BuildView::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "logs",
            description = {"Print a build's log (its last lines); with --follow, print it as it grows until the build ends.",
                    "With --follow the exit code is the build's: 0 passed, 1 failed or cancelled."})
    static final class Logs extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The build's id.")
        String id;

        @Option(names = {"-f", "--follow"}, description = "Keep printing lines as they come, until the build ends.")
        boolean follow;

        @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "100",
                description = "Start with the last N lines (1-10000; default: ${DEFAULT-VALUE}).")
        int lines;

        @Mixin
        WaitOptions waiting;

        @Override
        protected int run(ApiClient api) {
            if (follow) {
                JsonNode build = new BuildLogFollower(api, out(), this::progress, json(), waiting.timeout).follow(id, lines);
                return BuildView.outcome(build, this::progress);
            }
            JsonNode page = api.get(ApiClient.withQuery(path(id) + "/logs", ApiClient.params("lines", lines)));
            if (json()) {
                out().println(Json.pretty(page));
                return ExitCodes.OK;
            }
            for (JsonNode line : page.path("logs")) {
                out().println(Json.text(line, "message"));
            }
            if (page.path("truncated").asBoolean()) {
                progress("gantry: the log of build " + id + " was cut at the server's limit (build.log-limit-mib)");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "cancel",
            description = "Cancel a build: a queued one at once, a running one by killing its step's processes.")
    static final class Cancel extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The build's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            print(api.action(path(id) + "/cancel").json(), BuildView::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rerun", description = "Build the same commit again, as a new build.")
    static final class Rerun extends Starting {
        @Parameters(paramLabel = "ID", description = "The build to run again.")
        String id;

        @Override
        protected int run(ApiClient api) {
            return started(api, api.action(path(id) + "/rerun"));
        }
    }
}
