package dev.gantry.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current state and the routing table made from it. A change is checked against the fence, written to
 * state.json (atomically, fsynced) and only then swapped in, so what the admin API acknowledges is on disk and a
 * restarted router routes the same way. A change returns once the backends it took away have no request in flight
 * ({@value Router#DRAIN_MILLIS} ms at most), so whoever removed a backend may stop it without cutting a request short.
 */
final class StateHolder implements Supplier<RoutingTable> {
    static final String STATE_FILE = "state.json";
    private static final Logger LOG = LoggerFactory.getLogger(StateHolder.class);

    private final Path file;
    private final ObjectMapper mapper;
    private final SampleStore samples;
    private volatile RoutingTable table;

    private StateHolder(Path file, ObjectMapper mapper, SampleStore samples, RouterState initial) {
        this.file = file;
        this.mapper = mapper;
        this.samples = samples;
        this.table = RoutingTable.of(initial, samples, null);
    }

    /** Loads state.json from {@code dir}, or starts empty (fence 0, no versions) when there is none. */
    static StateHolder load(Path dir, ObjectMapper mapper, SampleStore samples) throws RouterException {
        Path file = dir.resolve(STATE_FILE);
        RouterState initial;
        try {
            JsonNode root = mapper.readTree(Files.readAllBytes(file));
            initial = StateCodec.parse(root);
        } catch (NoSuchFileException e) {
            initial = RouterState.EMPTY;
        } catch (InvalidStateException e) {
            throw new RouterException(file + " is not a valid router state: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RouterException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new StateHolder(file, mapper, samples, initial);
    }

    @Override
    public RoutingTable get() {
        return table;
    }

    RouterState state() {
        return table.state;
    }

    /**
     * Replaces the whole state. A fence lower than the stored one is refused; an equal one is accepted (a replayed
     * call is idempotent) and a higher one becomes the stored fence.
     */
    RouterState replace(RouterState next) throws StaleFenceException, IOException {
        awaitIdle(swap(next));
        return next;
    }

    /** Writes and swaps in the new table; answers the backends that it no longer has. */
    private synchronized List<Backend> swap(RouterState next) throws StaleFenceException, IOException {
        long stored = table.state.fence();
        if (next.fence() < stored) {
            throw new StaleFenceException(next.fence(), stored);
        }
        write(next);
        RoutingTable previous = table;
        table = RoutingTable.of(next, samples, previous);
        Map<String, Backend> leaving = previous.backends();
        leaving.keySet().removeAll(table.backends().keySet());
        return List.copyOf(leaving.values());
    }

    private static void awaitIdle(List<Backend> leaving) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Router.DRAIN_MILLIS);
        for (Backend backend : leaving) {
            if (!Router.awaitZero(backend::inFlight, deadline, 1)) {
                LOG.warn("Backend {} left the routing table with {} request(s) still in flight after {} ms", backend,
                        backend.inFlight(), Router.DRAIN_MILLIS);
            }
        }
    }

    /** Writes the current state when the directory has none yet, so the directory shows what the router runs. */
    synchronized void writeIfMissing() throws IOException {
        if (!Files.exists(file)) {
            write(table.state);
        }
    }

    private void write(RouterState state) throws IOException {
        byte[] bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(StateCodec.toJson(mapper, state));
        AtomicFiles.write(file, bytes, false);
    }
}
