package dev.gantry.server.build;

import dev.gantry.server.http.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stages of one build attempt as the API shows them: checkout, dependencies, then the pipeline's stages, each
 * with its steps; statuses are pending, running, passed, failed, skipped or cancelled.
 */
final class BuildProgress {
    private final List<StageState> stages = new ArrayList<>();
    private StageState current;

    private static final class StageState {
        final String name;
        final String kind;
        String status = "running";
        final Instant startedAt;
        Instant finishedAt;
        final List<Map<String, Object>> steps = new ArrayList<>();

        StageState(String name, String kind, Instant startedAt) {
            this.name = name;
            this.kind = kind;
            this.startedAt = startedAt;
        }
    }

    synchronized void startStage(String name, String kind) {
        current = new StageState(name, kind, Instant.now());
        stages.add(current);
    }

    synchronized void skipStage(String name, String kind, String reason) {
        StageState skipped = new StageState(name, kind, Instant.now());
        skipped.status = "skipped";
        skipped.finishedAt = skipped.startedAt;
        skipped.steps.add(Map.of("name", "-", "status", "skipped", "reason", reason));
        stages.add(skipped);
    }

    synchronized void finishStage(String status) {
        if (current != null && current.status.equals("running")) {
            current.status = status;
            current.finishedAt = Instant.now();
        }
    }

    synchronized void step(String name, String status, Integer exitCode, Duration duration, String reason) {
        if (current == null) {
            return;
        }
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("name", name);
        step.put("status", status);
        if (exitCode != null) {
            step.put("exit_code", exitCode);
        }
        if (duration != null) {
            step.put("duration_sec", duration.toMillis() / 1000.0);
        }
        if (reason != null) {
            step.put("reason", reason);
        }
        current.steps.removeIf(existing -> existing.get("name").equals(name));
        current.steps.add(step);
    }

    /** Marks whatever is still running as {@code status} (the build ended there). */
    synchronized void endRunning(String status) {
        for (StageState stage : stages) {
            if (stage.status.equals("running")) {
                stage.status = status;
                stage.finishedAt = Instant.now();
            }
            for (Map<String, Object> step : stage.steps) {
                if ("running".equals(step.get("status"))) {
                    step.put("status", status);
                }
            }
        }
    }

    synchronized String json() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (StageState stage : stages) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", stage.name);
            json.put("kind", stage.kind);
            json.put("status", stage.status);
            json.put("started_at", stage.startedAt.toString());
            if (stage.finishedAt != null) {
                json.put("finished_at", stage.finishedAt.toString());
                json.put("duration_sec", Duration.between(stage.startedAt, stage.finishedAt).toMillis() / 1000.0);
            }
            json.put("steps", stage.steps);
            out.add(json);
        }
        return Json.write(out);
    }
}
