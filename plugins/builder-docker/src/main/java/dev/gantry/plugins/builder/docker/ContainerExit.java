package dev.gantry.plugins.builder.docker;

import com.github.dockerjava.api.model.WaitResponse;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;

/** The engine's answer to "wait until the container stops": its main process's exit code. */
final class ContainerExit extends EngineStream<WaitResponse> {
    private volatile Integer code;

    ContainerExit(BlockingQueue<StepEvent> events) {
        super(events);
    }

    @Override
    public void onNext(WaitResponse response) {
        code = response.getStatusCode();
    }

    @Override
    void ended(Throwable failure) {
        Integer exitCode = code;
        if (failure == null && exitCode != null) {
            emit(new StepEvent.Exited(exitCode));
        } else {
            emit(new StepEvent.ExitUnknown(failure != null ? failure
                    : new IOException("the engine's answer to wait had no exit code")));
        }
    }
}
