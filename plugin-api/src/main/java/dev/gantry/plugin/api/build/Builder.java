package dev.gantry.plugin.api.build;

import dev.gantry.plugin.api.Experimental;
import java.io.IOException;
import org.pf4j.ExtensionPoint;

/** Runs one build step isolated from the host and, unless the step is a dependency fetch, from the network. */
@Experimental
public interface Builder extends ExtensionPoint {
    /** The name pipeline.yaml selects this builder by, e.g. {@code sandbox} or {@code docker}. */
    String kind();

    /**
     * Runs the step until it ends, its timeout passes, or the calling thread is interrupted (a cancelled build). On
     * a timeout or an interruption every process the step started is killed, including ones that left its process
     * group, before this returns; the result then says why in {@link StepResult#failureReason()}. Output goes to
     * {@code log} line by line as it is produced, stdout and stderr interleaved.
     *
     * @throws IOException when the isolation itself cannot be set up (e.g. the sandbox tool or the Docker engine is
     *     missing); the message says what to install or start
     */
    StepResult run(StepSpec step, LogSink log) throws IOException;
}
