package dev.gantry.plugin.api.build;

import dev.gantry.plugin.api.Experimental;
import org.pf4j.ExtensionPoint;

/** Runs one build step isolated from the host and, unless the step is a dependency fetch, from the network. */
@Experimental
public interface Builder extends ExtensionPoint {
    /** The name pipeline.yaml selects this builder by, e.g. {@code sandbox} or {@code docker}. */
    String kind();

    /** Runs the step to completion, its timeout or the interruption of the calling thread. */
    StepResult run(StepSpec step, LogSink log);
}
