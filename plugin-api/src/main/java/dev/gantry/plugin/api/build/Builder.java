package dev.gantry.plugin.api.build;

import dev.gantry.plugin.api.Experimental;
import java.io.IOException;
import java.nio.file.Path;
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

    /**
     * Called with an empty directory that a build's steps will run in, before its checkout and possibly long before
     * the build begins (an agent makes the next build's workspace ahead): a builder may start ahead of time what a
     * step there needs, so that the first one starts sooner (the sandbox builder starts a sandbox that waits for the
     * step's command). Whether it does changes nothing else: {@link #run}
     * behaves the same. Must return at once; the result is closed when the build ends or the directory is given up,
     * which stops whatever no step used. The default prepares nothing.
     */
    default Prepared prepare(Path workspace) {
        return Prepared.NOTHING;
    }

    /** What {@link #prepare} started; closing it gives up whatever no step used. */
    interface Prepared extends AutoCloseable {
        Prepared NOTHING = () -> {
        };

        @Override
        void close();
    }
}
