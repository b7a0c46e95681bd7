package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gantry deploy ...}: start deploys, list, show and wait for them, and steer one (pause, resume, promote, abort). */
@Command(name = "deploy",
        description = "Start, follow and steer deploys (see docs/deploys.md); rollback, approve and reject are commands of their own.",
        subcommands = {DeployCommand.Start.class, DeployCommand.ListDeploys.class, DeployCommand.Show.class,
                DeployCommand.Wait.class, DeployCommand.Pause.class, DeployCommand.Resume.class,
                DeployCommand.Promote.class, DeployCommand.Abort.class})
public final class DeployCommand extends CommandGroup {

    static String path(String id) {
        return "api/deploys/" + ApiClient.segment(id);
    }

    /** Waits until the deploy ended, one progress line per change; returns the ended deploy. */
    static JsonNode await(ApiClient api, String id, Duration timeout, Consumer<String> progress) {
        return new Poller(timeout, progress).await("deploy " + id, () -> api.get(path(id)), DeployView::progress, DeployView::finished);
    }

    @Command(name = "start",
            description = "Deploy an artifact of a service to an environment, by the service's strategy.")
    static final class Start extends ApiCommand {
        @Option(names = "--service", required = true, paramLabel = "SERVICE", description = "The service to deploy.")
        String service;

        @Option(names = "--artifact", required = true, paramLabel = "SHA", description = "The artifact's digest (sha256:... or bare hex).")
        String artifact;

        @Option(names = "--env", required = true, paramLabel = "ENV", description = "The environment to deploy to.")
        String environment;

        @Option(names = "--queue", description = "If another deploy of the service holds the environment, wait in line "
                + "behind it instead of failing with exit code 5.")
        boolean queue;

        @Option(names = "--override", description = "Go past a freeze window or the environment's requires_success_in (admins only).")
        boolean override;

        @Option(names = "--wait", description = "Wait until the deploy ended, showing each step on stderr; "
                + "exit code 1 if it failed or was rolled back.")
        boolean await;

        @Mixin
        WaitOptions waiting;

        @Override
        protected int run(ApiClient api) {
            ObjectNode body = Json.MAPPER.createObjectNode()
                    .put("service", service).put("artifact_sha", artifact).put("environment", environment);
            if (queue) {
                body.put("queue", true);
            }
            if (override) {
                body.put("override", true);
            }
            JsonNode deploy = api.post("api/deploys", body).json();
            if (!await) {
                print(deploy, DeployView::details);
                return ExitCodes.OK;
            }
            String id = Json.text(deploy, "deploy_id");
            progress("deploy " + id + " of " + service + " to " + environment);
            JsonNode done = await(api, id, waiting.timeout, this::progress);
            print(done, DeployView::details);
            return DeployView.outcome(done, "succeeded", this::progress);
        }
    }

    @Command(name = "list", description = "List deploys, newest first.")
    static final class ListDeploys extends ApiCommand {
        @Option(names = "--service", paramLabel = "SERVICE", description = "Only this service's.")
        String service;

        @Option(names = "--env", paramLabel = "ENV", description = "Only this environment's.")
        String environment;

        @Option(names = "--status", paramLabel = "STATUS",
                description = "Only these: queued, pending, awaiting_approval, in_progress, paused, succeeded, rolling_back, rolled_back or failed.")
        String status;

        @Option(names = "--limit", paramLabel = "N", description = "At most N deploys (1-200; default 50).")
        Integer limit;

        @Override
        protected int run(ApiClient api) {
            JsonNode list = api.get(ApiClient.withQuery("api/deploys",
                    ApiClient.params("service", service, "environment", environment, "status", status, "limit", limit)));
            printList(list, DeployView.table(list), "no deploys");
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Show a deploy: status, step, weights, approvals.")
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The deploy's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            print(api.get(path(id)), DeployView::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "wait",
            description = {"Wait until a deploy ended, showing each step on stderr.",
                    "Exit code 0 if it succeeded, 1 if it failed or was rolled back, 7 on --timeout."})
    static final class Wait extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The deploy's id.")
        String id;

        @Mixin
        WaitOptions waiting;

        @Override
        protected int run(ApiClient api) {
            JsonNode done = await(api, id, waiting.timeout, this::progress);
            print(done, DeployView::details);
            return DeployView.outcome(done, "succeeded", this::progress);
        }
    }

    /** An action on a deploy that takes nothing but its id. */
    abstract static class Action extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The deploy's id.")
        String id;

        abstract String action();

        @Override
        protected int run(ApiClient api) {
            print(api.action(path(id) + "/" + action()).json(), DeployView::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "pause", description = "Stop before the deploy's next step; traffic stays as it is.")
    static final class Pause extends Action {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", description = "Go on from where the deploy was paused.")
    static final class Resume extends Action {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "promote",
            description = "End the current step's hold now and move on (also from a pause at a hold).")
    static final class Promote extends Action {
        @Override
        String action() {
            return "promote";
        }
    }

    @Command(name = "abort",
            description = "Stop the deploy and move all traffic back to the previous release.")
    static final class Abort extends Action {
        @Override
        String action() {
            return "abort";
        }
    }
}
