package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a pipeline.yaml: where (1-based line and column), which rule it breaks (a stable snake_case
 * code such as {@code unknown_key} that programs may rely on) and a sentence a person can act on.
 */
public record PipelineProblem(int line, int column, String rule, String message) {
    public PipelineProblem {
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
        }
        requireNonNull(rule, "rule is null");
        requireNonNull(message, "message is null");
    }

    @Override
    public String toString() {
        return "line " + line + ", column " + column + ": " + message + " [" + rule + "]";
    }
}
