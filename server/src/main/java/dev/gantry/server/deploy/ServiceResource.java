package dev.gantry.server.deploy;

import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** {@code /api/services}: services registered by hand (the same settings as pipeline.yaml's deploy: section) and releases. */
@Path("/api/services")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceResource {
    private final DeployCatalog catalog;

    @Inject
    public ServiceResource(DeployCatalog catalog) {
        this.catalog = catalog;
    }

    public record ServiceList(List<DeployCatalog.ServiceRepresentation> services) {
    }

    public record ReleaseList(List<DeployCatalog.ReleaseRepresentation> releases) {
    }

    /** The body is read as text so that problems are reported with their line and column. */
    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "text/yaml"})
    @RequiresRole(Role.DEPLOYER)
    public Response put(@Context SecurityContext security, InputStream body) throws IOException {
        byte[] text = body.readNBytes(1 << 20);
        return Response.status(Response.Status.CREATED).entity(catalog.putService(Authentication.caller(security), text)).build();
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public ServiceList list() {
        return new ServiceList(catalog.services());
    }

    @GET
    @Path("/{service}")
    @RequiresRole(Role.VIEWER)
    public DeployCatalog.ServiceRepresentation get(@PathParam("service") String service) {
        return catalog.service(service);
    }

    @GET
    @Path("/{service}/releases")
    @RequiresRole(Role.VIEWER)
    public ReleaseList releases(@PathParam("service") String service, @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw ApiException.badRequest("limit is 1 to 500");
        }
        return new ReleaseList(catalog.releases(service, limit));
    }
}
