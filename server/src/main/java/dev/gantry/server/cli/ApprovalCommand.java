package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gantry approve|reject ID}: a decision on a deploy that waits for approval (not by the one who started it). */
public abstract class ApprovalCommand extends ApiCommand {
    @Parameters(paramLabel = "ID", description = "The deploy waiting for approval.")
    String id;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Shown with the decision in the deploy's approvals.")
    String comment;

    abstract String decision();

    @Override
    protected int run(ApiClient api) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (comment != null) {
            body.put("comment", comment);
        }
        print(api.post(DeployCommand.path(id) + "/" + decision(), body).json(), DeployView::details);
        return ExitCodes.OK;
    }

    @Command(name = "approve",
            description = "Approve a deploy that waits for approval (someone other than the one who started it).")
    public static final class Approve extends ApprovalCommand {
        @Override
        String decision() {
            return "approve";
        }
    }

    @Command(name = "reject",
            description = "Reject a deploy that waits for approval: it ends failed, and a queued deploy goes next.")
    public static final class Reject extends ApprovalCommand {
        @Override
        String decision() {
            return "reject";
        }
    }
}
