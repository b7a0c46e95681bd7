package dev.gantry.server.scm;

import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;

@Path("/api/repos")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RepositoryResource {
    private final RepositoryService repositories;

    @Inject
    public RepositoryResource(RepositoryService repositories) {
        this.repositories = repositories;
    }

    public record RepositoryList(List<RepositoryRepresentation> repos) {
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public RepositoryList list() {
        return new RepositoryList(repositories.list());
    }

    /** Registers a repository; the answer shows its webhook secret once (when Gantry generated it). */
    @POST
    @RequiresRole(Role.ADMIN)
    public Response register(@Context SecurityContext security, RepositoryService.Registration request) {
        return Response.status(Response.Status.CREATED)
                .entity(repositories.register(Authentication.caller(security), request))
                .build();
    }

    /** A repository by id or by name (names hold a '/', e.g. acme/shop). */
    @GET
    @Path("/{id: .+}")
    @RequiresRole(Role.VIEWER)
    public RepositoryRepresentation get(@PathParam("id") String id) {
        return RepositoryRepresentation.of(repositories.get(id), null);
    }

    @DELETE
    @Path("/{id: .+}")
    @RequiresRole(Role.ADMIN)
    public Response delete(@Context SecurityContext security, @PathParam("id") String id) {
        repositories.delete(Authentication.caller(security), id);
        return Response.noContent().build();
    }
}
