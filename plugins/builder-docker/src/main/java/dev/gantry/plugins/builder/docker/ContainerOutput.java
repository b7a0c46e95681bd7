package dev.gantry.plugins.builder.docker;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/** A container's attached stdout and stderr, each cut into lines, queued as they arrive. */
final class ContainerOutput extends EngineStream<Frame> {
    private final LineSplitter stdout = new LineSplitter();
    private final LineSplitter stderr = new LineSplitter();
    private final AtomicBoolean ended = new AtomicBoolean();

    ContainerOutput(BlockingQueue<StepEvent> events) {
        super(events);
    }

    @Override
    public void onNext(Frame frame) {
        // docker-java reuses the payload array for the next frame: it is consumed before returning
        byte[] payload = frame.getPayload();
        List<String> lines = new ArrayList<>();
        splitter(frame.getStreamType()).accept(payload, 0, payload.length, lines::add);
        if (!lines.isEmpty()) {
            emit(new StepEvent.Lines(lines));
        }
    }

    @Override
    void ended(Throwable failure) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        List<String> lines = new ArrayList<>();
        stdout.finish(lines::add);
        stderr.finish(lines::add);
        if (!lines.isEmpty()) {
            emit(new StepEvent.Lines(lines));
        }
        emit(new StepEvent.OutputEnded(Optional.ofNullable(failure)));
    }

    private LineSplitter splitter(StreamType type) {
        return type == StreamType.STDERR ? stderr : stdout;
    }
}
