package dev.gantry.server.http;

import dev.gantry.server.auth.Public;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Liveness ({@code /healthz}: the process answers) and readiness ({@code /readyz}: the API can be used). */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    private final Readiness readiness;

    @Inject
    public HealthResource(Readiness readiness) {
        this.readiness = readiness;
    }

    @GET
    @Path("healthz")
    @Public
    public Map<String, String> health() {
        return Map.of("status", "ok");
    }

    @GET
    @Path("readyz")
    @Public
    public Response ready() {
        if (readiness.isReady()) {
            return Response.ok(Map.of("status", "ready")).build();
        }
        return Response.status(503).entity(Map.of("status", "starting", "waiting_for", readiness.waitingFor())).build();
    }
}
