package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** How deploys look: a table row, the summary of one, its progress line, and what its end means for the exit code. */
final class DeployView {
    static final Set<String> FINISHED = Set.of("succeeded", "failed", "rolled_back");
    /** States whose reason a person needs to see while waiting. */
    private static final Set<String> EXPLAINED = Set.of("paused", "rolling_back", "rolled_back", "failed");

    private DeployView() {
    }

    static Table table(JsonNode list) {
        Table table = new Table("id", "service", "env", "status", "kind", "step", "artifact", "by", "created");
        for (JsonNode deploy : list.path("deploys")) {
            table.row(Json.text(deploy, "deploy_id"), Json.text(deploy, "service"), Json.text(deploy, "environment"),
                    Json.text(deploy, "status"), Json.text(deploy, "kind"), stepCount(deploy.path("step")),
                    Format.shortSha(deploy.at("/release/artifact_sha").asText(null)), Json.text(deploy, "initiated_by"),
                    Format.time(Json.text(deploy, "created_at")));
        }
        return table;
    }

    static String details(JsonNode deploy) {
        String kind = Json.text(deploy, "kind");
        String rollbackOf = Json.text(deploy, "rollback_of");
        return new Details()
                .add("deploy", Json.text(deploy, "deploy_id"))
                .add("service", Json.text(deploy, "service"))
                .add("environment", Json.text(deploy, "environment"))
                .add("status", Json.text(deploy, "status"))
                .add("reason", Json.text(deploy, "reason"))
                .add("kind", kind == null ? null : kind + (rollbackOf != null ? " of " + rollbackOf : ""))
                .add("strategy", Json.text(deploy, "strategy"))
                .add("artifact", deploy.at("/release/artifact_sha").asText(null))
                .add("release", deploy.at("/release/release_id").asText(null))
                .add("previous", deploy.at("/previous_release/artifact_sha").asText(null))
                .add("step", step(deploy.path("step")))
                .add("weights", weights(deploy.path("weights")))
                .add("approvals", approvals(deploy.path("approvals")))
                .add("started by", Json.text(deploy, "initiated_by"))
                .add("created", Format.time(Json.text(deploy, "created_at")))
                .add("finished", Format.time(Json.text(deploy, "finished_at")))
                .render();
    }

    /** {@code step 3/13: send 10% to r2 (in_progress)}, with the reason when paused, rolling back or ended badly. */
    static String progress(JsonNode deploy) {
        String status = Json.text(deploy, "status");
        String step = step(deploy.path("step"));
        String line = step == null ? status : "step " + step + " (" + status + ")";
        String reason = Json.text(deploy, "reason");
        return EXPLAINED.contains(status) && reason != null ? line + ": " + ApiError.oneLine(reason) : line;
    }

    static boolean finished(JsonNode deploy) {
        return FINISHED.contains(Json.text(deploy, "status"));
    }

    /** 0 when the deploy ended in {@code success} (normally succeeded), else 1, saying why on stderr. */
    static int outcome(JsonNode deploy, String success, Consumer<String> stderr) {
        String status = Json.text(deploy, "status");
        if (success.equals(status)) {
            return ExitCodes.OK;
        }
        String reason = Json.text(deploy, "reason");
        stderr.accept("gantry: deploy " + Json.text(deploy, "deploy_id") + " " + status
                + (reason != null ? ": " + ApiError.oneLine(reason) : ""));
        return ExitCodes.FAILED;
    }

    /** {@code 3/13: what it does}; the API counts steps from 0 and sets index = count once every step is done. */
    private static String step(JsonNode step) {
        int count = step.path("count").asInt(0);
        if (count == 0) {
            return null;
        }
        int index = step.path("index").asInt(0);
        if (index >= count) {
            return count + "/" + count + ": done";
        }
        String what = Json.text(step, "description");
        if (what == null) {
            what = Json.text(step, "kind");
        }
        return (index + 1) + "/" + count + (what != null ? ": " + what : "");
    }

    private static String stepCount(JsonNode step) {
        int count = step.path("count").asInt(0);
        return count == 0 ? null : Math.min(step.path("index").asInt(0) + 1, count) + "/" + count;
    }

    /** One line per target: {@code box: r-1 90%, r-2 10%}. */
    private static String weights(JsonNode weights) {
        List<String> lines = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> targets = weights.fields(); targets.hasNext(); ) {
            Map.Entry<String, JsonNode> target = targets.next();
            List<String> versions = new ArrayList<>();
            target.getValue().fields().forEachRemaining(version -> versions.add(version.getKey() + " " + version.getValue().asText() + "%"));
            lines.add(target.getKey() + ": " + (versions.isEmpty() ? "no traffic" : String.join(", ", versions)));
        }
        return lines.isEmpty() ? null : String.join("\n", lines);
    }

    private static String approvals(JsonNode approvals) {
        List<String> lines = new ArrayList<>();
        for (JsonNode approval : approvals) {
            String comment = Json.text(approval, "comment");
            lines.add(Json.text(approval, "decision") + " by " + Json.text(approval, "user") + " at "
                    + Format.time(Json.text(approval, "at")) + (comment != null ? ": " + ApiError.oneLine(comment) : ""));
        }
        return lines.isEmpty() ? null : String.join("\n", lines);
    }
}
