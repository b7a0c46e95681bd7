package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry rollback ID}: a running deploy turns around (same id, ends rolled_back); a finished one that the
 * environment runs now gets a new deploy back to the previous release (a new id, ends succeeded).
 */
@Command(name = "rollback",
        description = {"Roll a deploy back to the previous release.",
                "A running deploy turns around and ends rolled_back; of a finished one, a new deploy (kind rollback) "
                        + "takes the environment back, and its id is printed. Follow either with 'deploy wait ID' or --wait."})
public final class RollbackCommand extends ApiCommand {
    @Parameters(paramLabel = "ID", description = "The deploy to roll back.")
    String id;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the deploy's history.")
    String reason;

    @Option(names = "--wait", description = "Wait until the traffic is back on the previous release; exit code 1 if the rollback failed.")
    boolean await;

    @Mixin
    WaitOptions waiting;

    @Override
    protected int run(ApiClient api) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode rollback = api.post(DeployCommand.path(id) + "/rollback", body).json();
        String deployId = Json.text(rollback, "deploy_id");
        if (!await) {
            print(rollback, answer -> new Details()
                    .add("deploy", deployId + (id.equals(deployId) ? " (turned around)" : " (new rollback deploy)"))
                    .add("status", Json.text(answer, "status"))
                    .add("rolled back to", Json.text(answer, "rolled_back_to"))
                    .render());
            return ExitCodes.OK;
        }
        // the same deploy turning around succeeds by ending rolled_back; a new rollback deploy by succeeding
        String success = id.equals(deployId) ? "rolled_back" : "succeeded";
        JsonNode done = DeployCommand.await(api, deployId, waiting.timeout, this::progress);
        print(done, DeployView::details);
        return DeployView.outcome(done, success, this::progress);
    }
}
