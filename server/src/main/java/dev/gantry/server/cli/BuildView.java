package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** How builds look: a table row, the summary of one, its progress line, and what its end means for the exit code. */
final class BuildView {
    static final Set<String> FINISHED = Set.of("passed", "failed", "cancelled");

    private BuildView() {
    }

    static Table table(JsonNode list) {
        Table table = new Table("id", "repo", "branch", "commit", "status", "duration", "queued");
        for (JsonNode build : list.path("builds")) {
            table.row(Json.text(build, "build_id"), Json.text(build, "repo"), Json.text(build, "branch"),
                    Format.shortSha(Json.text(build, "commit_sha")), Json.text(build, "status"),
                    Format.seconds(build.get("duration_sec")), Format.time(Json.text(build, "queued_at")));
        }
        return table;
    }

    static String details(JsonNode build) {
        int attempt = build.path("attempt").asInt(1);
        return new Details()
                .add("build", Json.text(build, "build_id"))
                .add("repo", Json.text(build, "repo"))
                .add("branch", Json.text(build, "branch"))
                .add("commit", Json.text(build, "commit_sha"))
                .add("status", Json.text(build, "status") + (build.path("cancel_requested").asBoolean()
                        && !FINISHED.contains(Json.text(build, "status")) ? " (cancel requested)" : ""))
                .add("reason", Json.text(build, "failure_reason"))
                .add("attempt", attempt > 1 ? Integer.toString(attempt) : null)
                .add("artifact", Json.text(build, "artifact_sha"))
                .add("trigger", Json.text(build, "trigger"))
                .add("requested by", Json.text(build, "requested_by"))
                .add("rerun of", Json.text(build, "rerun_of"))
                .add("queued", Format.time(Json.text(build, "queued_at")))
                .add("started", Format.time(Json.text(build, "started_at")))
                .add("finished", Format.time(Json.text(build, "finished_at")))
                .add("duration", Format.seconds(build.get("duration_sec")))
                .add("log", build.path("log_lines").asLong() + " lines" + (build.path("log_truncated").asBoolean() ? " (truncated)" : ""))
                .add("stages", stages(build.path("stages")))
                .render();
    }

    /** One line per stage, and indented under it one per step: name, status (with a step's exit code), time. */
    private static String stages(JsonNode stages) {
        Table table = Table.withoutHeaders(3);
        for (JsonNode stage : stages) {
            table.row(Json.text(stage, "name"), Json.text(stage, "status"), Format.seconds(stage.get("duration_sec")));
            for (JsonNode step : stage.path("steps")) {
                String note = step.path("exit_code").asInt(0) != 0 ? "exit " + step.get("exit_code").asInt() : Json.text(step, "reason");
                table.row("  " + Json.text(step, "name"), Json.text(step, "status") + (note != null ? " (" + note + ")" : ""),
                        Format.seconds(step.get("duration_sec")));
            }
        }
        return table.isEmpty() ? null : table.render();
    }

    /** {@code step build/compile: running (building)}: the step running now (or the last one), and the build's status. */
    static String progress(JsonNode build) {
        String status = Json.text(build, "status");
        String current = null;
        String last = null;
        for (JsonNode stage : build.path("stages")) {
            for (JsonNode step : stage.path("steps")) {
                String name = "step " + Json.text(stage, "name") + "/" + Json.text(step, "name") + ": " + Json.text(step, "status");
                last = name;
                if ("running".equals(Json.text(step, "status"))) {
                    current = name;
                }
            }
        }
        String step = current != null ? current : last;
        return step == null ? status : step + " (" + status + ")";
    }

    static boolean finished(JsonNode build) {
        return FINISHED.contains(Json.text(build, "status"));
    }

    /** 0 for a passed build, 1 for a failed or cancelled one (saying why on stderr). */
    static int outcome(JsonNode build, java.util.function.Consumer<String> stderr) {
        String status = Json.text(build, "status");
        if ("passed".equals(status)) {
            return ExitCodes.OK;
        }
        String reason = Json.text(build, "failure_reason");
        stderr.accept("gantry: build " + Json.text(build, "build_id") + " " + status + (reason != null ? ": " + ApiError.oneLine(reason) : ""));
        return ExitCodes.FAILED;
    }
}
