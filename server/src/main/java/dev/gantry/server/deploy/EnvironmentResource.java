package dev.gantry.server.deploy;

import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;

/** {@code /api/environments}: where services run (regions, targets, approvals, freeze windows); admins define them. */
@Path("/api/environments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EnvironmentResource {
    private final DeployCatalog catalog;

    @Inject
    public EnvironmentResource(DeployCatalog catalog) {
        this.catalog = catalog;
    }

    public record EnvironmentList(List<EnvironmentSpec> environments) {
    }

    @POST
    @RequiresRole(Role.ADMIN)
    public Response create(@Context SecurityContext security, EnvironmentSpec spec) {
        if (spec == null || spec.name() == null) {
            throw ApiException.missingField("name");
        }
        return Response.status(Response.Status.CREATED)
                .entity(catalog.putEnvironment(Authentication.caller(security), spec.name(), spec)).build();
    }

    @PUT
    @Path("/{name}")
    @RequiresRole(Role.ADMIN)
    public EnvironmentSpec put(@Context SecurityContext security, @PathParam("name") String name, EnvironmentSpec spec) {
        return catalog.putEnvironment(Authentication.caller(security), name, spec);
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public EnvironmentList list() {
        return new EnvironmentList(catalog.environments());
    }

    @GET
    @Path("/{name}")
    @RequiresRole(Role.VIEWER)
    public EnvironmentSpec get(@PathParam("name") String name) {
        return catalog.environment(name);
    }
}
