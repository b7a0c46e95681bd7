package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A pipeline.yaml that is not valid, with every problem found, sorted by position. */
public class PipelineException extends RuntimeException {
    private final List<PipelineProblem> problems;
    private final int found;

    /**
     * @param problems what is reported, sorted by position (possibly cut short, ending in a {@code too_many_problems}
     *                 entry)
     * @param found    how many problems were found in all
     */
    public PipelineException(List<PipelineProblem> problems, int found) {
        super(summary(problems, found));
        this.problems = List.copyOf(problems);
        this.found = found;
    }

    public PipelineException(List<PipelineProblem> problems) {
        this(problems, requireNonNull(problems, "problems is null").size());
    }

    public List<PipelineProblem> problems() {
        return problems;
    }

    /** How many problems were found, which may be more than {@link #problems()} lists. */
    public int found() {
        return found;
    }

    private static String summary(List<PipelineProblem> problems, int found) {
        requireNonNull(problems, "problems is null");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a pipeline exception needs at least one problem");
        }
        PipelineProblem first = problems.get(0);
        String where = "line " + first.line() + ", column " + first.column() + ": " + first.message();
        return found == 1
                ? "pipeline.yaml has 1 problem: " + where
                : "pipeline.yaml has " + found + " problems; the first: " + where;
    }
}
