package dev.gantry.router;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.PreEncodedHttpField;

/** One version in a {@link RoutingTable}: its backends (round-robin), its response header, its sample buffer. */
final class Route {
    final String version;
    final int weight;
    final Backend[] backends;
    final HttpField versionHeader;
    final SampleBuffer samples;
    /** The 503 body when this version is chosen but has no backends. */
    final ByteBuffer noBackendBody;
    private final AtomicInteger next = new AtomicInteger();

    /** @param backend the backend of an address: the previous table's object when it had one */
    Route(String version, RouterState.Version state, SampleBuffer samples, Function<String, Backend> backend) {
        this.version = version;
        this.weight = state.weight();
        this.backends = state.backends().stream().map(backend).toArray(Backend[]::new);
        this.versionHeader = new PreEncodedHttpField(RouterProxyHandler.VERSION_HEADER, version);
        this.samples = samples;
        // version names are [A-Za-z0-9._~-]: nothing to escape
        this.noBackendBody = ByteBuffer.wrap(("{\"error\":\"no_backend\",\"message\":\"version " + version
                + " has no backends\"}").getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }

    Backend nextBackend() {
        Backend[] all = backends;
        return all.length == 1 ? all[0] : all[Math.floorMod(next.getAndIncrement(), all.length)];
    }
}
