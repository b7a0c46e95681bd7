package dev.gantry.server.http;

import dev.gantry.server.auth.Public;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/** Prometheus text exposition of the server's metrics. */
@Path("/metrics")
public class MetricsResource {
    private final ServerMetrics metrics;

    @Inject
    public MetricsResource(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @GET
    @Public
    public Response scrape() {
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        StreamingOutput body = out -> writer.write(out, metrics.registry().scrape());
        return Response.ok(body, PrometheusTextFormatWriter.CONTENT_TYPE).build();
    }
}
