package dev.gantry.server.http;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/** Filters in front of every route: 503 while the server starts, and request metrics. */
public final class RequestFilters {
    private static final String STARTED_AT = "gantry.started-at";

    private RequestFilters() {
    }

    /** Until the database and plugins are up, API calls get 503 with Retry-After, never a half-working answer. */
    @PreMatching
    @Priority(Priorities.AUTHENTICATION - 100)
    public static final class NotReadyFilter implements ContainerRequestFilter {
        private final Readiness readiness;

        public NotReadyFilter(Readiness readiness) {
            this.readiness = readiness;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            request.setProperty(STARTED_AT, System.nanoTime());
            if (!readiness.isReady() && request.getUriInfo().getPath().startsWith("api/")) {
                request.abortWith(Response.status(503)
                        .header("Retry-After", "1")
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(new ErrorRepresentation("starting", "Gantry is starting (waiting for "
                                + readiness.waitingFor() + "); retry in a moment", Map.of()))
                        .build());
            }
        }
    }

    /**
     * Reads what is left of a request body that the route never read (a request refused before its body mattered:
     * 401, 415, 405…) before the response goes out. Otherwise Jetty, unable to read a body still in flight, closes
     * the connection after answering, and a client that reuses it (the JDK's does) finds it dead. Bodies larger
     * than a limit are not waited for: the response then says the connection closes.
     */
    public static final class DrainUnreadBodyFilter implements ContainerResponseFilter {
        private static final long LIMIT = 1024 * 1024;

        @Override
        public void filter(ContainerRequestContext request, ContainerResponseContext response) {
            byte[] buffer = new byte[8192];
            long drained = 0;
            try {
                java.io.InputStream body = request.getEntityStream();
                if (body == null) {
                    return;
                }
                for (int read; (read = body.read(buffer)) != -1; ) {
                    drained += read;
                    if (drained > LIMIT) {
                        response.getHeaders().putSingle("Connection", "close");
                        return;
                    }
                }
            } catch (java.io.IOException | IllegalStateException e) {
                // already read and closed by the route, or the client went away: nothing left to drain
            }
        }
    }

    public static final class MetricsFilter implements ContainerResponseFilter {
        private final ServerMetrics metrics;

        public MetricsFilter(ServerMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void filter(ContainerRequestContext request, ContainerResponseContext response) {
            Object startedAt = request.getProperty(STARTED_AT);
            if (startedAt instanceof Long nanos) {
                metrics.recordRequest(request.getMethod(), route(request), response.getStatus(),
                        (System.nanoTime() - nanos) / 1e9);
            }
        }

        /** The matched route template (e.g. {@code /api/plugins/{id}}), so that labels do not grow with ids. */
        private static String route(ContainerRequestContext request) {
            if (request.getUriInfo() instanceof ExtendedUriInfo info) {
                List<UriTemplate> templates = info.getMatchedTemplates();
                if (!templates.isEmpty()) {
                    StringBuilder route = new StringBuilder();
                    for (int i = templates.size() - 1; i >= 0; i--) {
                        String template = templates.get(i).getTemplate();
                        if (!template.startsWith("/") && !route.toString().endsWith("/")) {
                            route.append('/');
                        }
                        route.append(template);
                    }
                    return route.toString().replaceAll("/+", "/");
                }
            }
            return "unmatched";
        }
    }
}
