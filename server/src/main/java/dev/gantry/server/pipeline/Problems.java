package dev.gantry.server.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The problems found in one pipeline.yaml. A hostile file can break a rule on every line, so only the first
 * {@link #KEPT} are kept and {@link #REPORTED} reported, followed by a note of how many more there were.
 */
final class Problems {
    static final int REPORTED = 100;
    static final int KEPT = 1000;

    private final List<PipelineProblem> kept = new ArrayList<>();
    private int found;

    void add(int line, int column, String rule, String message) {
        found++;
        if (kept.size() < KEPT) {
            kept.add(new PipelineProblem(line, column, rule, message));
        }
    }

    void at(Node node, String rule, String message) {
        Mark mark = node.getStartMark().orElse(null);
        add(mark == null ? 1 : mark.getLine() + 1, mark == null ? 1 : mark.getColumn() + 1, rule, message);
    }

    boolean any() {
        return found > 0;
    }

    PipelineException exception() {
        List<PipelineProblem> sorted = new ArrayList<>(kept);
        // a stable sort: problems at one position stay in the order they were found
        sorted.sort(Comparator.comparingInt(PipelineProblem::line).thenComparingInt(PipelineProblem::column));
        if (sorted.size() <= REPORTED && found == sorted.size()) {
            return new PipelineException(sorted, found);
        }
        List<PipelineProblem> reported = new ArrayList<>(sorted.subList(0, Math.min(REPORTED, sorted.size())));
        PipelineProblem next = sorted.size() > REPORTED ? sorted.get(REPORTED) : sorted.get(sorted.size() - 1);
        reported.add(new PipelineProblem(next.line(), next.column(), "too_many_problems",
                (found - reported.size()) + " more problems are not listed; fix these first"));
        return new PipelineException(reported, found);
    }

    /** Thrown to stop reading a file that is not worth reading further (the reason is already recorded). */
    static final class Abort extends RuntimeException {
        Abort() {
            super(null, null, false, false);
        }
    }
}
