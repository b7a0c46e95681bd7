package dev.gantry.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Optional;

/** {@code /api/feature-flags}: create (shorthand or full document), list, read, update, archive, kill, status. */
@Path("/api/feature-flags")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FlagResource {
    private final FlagService flags;

    @Inject
    public FlagResource(FlagService flags) {
        this.flags = flags;
    }

    public record FlagList(List<FlagRepresentation> flags) {
    }

    public record KillRequest(String environment) {
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public FlagList list(@QueryParam("archived") @DefaultValue("false") boolean archived) {
        return new FlagList(flags.list(archived));
    }

    @POST
    @RequiresRole(Role.DEVELOPER)
    public Response create(@Context SecurityContext security, @Context UriInfo uri, JsonNode body) {
        FlagRepresentation created = flags.create(Authentication.caller(security), body);
        return Response.created(uri.getBaseUriBuilder().path("api/feature-flags").path(created.key()).build())
                .header(HttpHeaders.ETAG, Versions.etag(created.version()))
                .entity(created)
                .build();
    }

    @GET
    @Path("/{id}")
    @RequiresRole(Role.VIEWER)
    public Response get(@PathParam("id") String id) {
        return withEtag(flags.get(id));
    }

    /** Replaces the flag's document; {@code If-Match} must name the version read (428 without, 412 when stale). */
    @PUT
    @Path("/{id}")
    @RequiresRole(Role.DEVELOPER)
    public Response update(@Context SecurityContext security, @PathParam("id") String id,
                           @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, JsonNode body) {
        long expected = Versions.required(ifMatch, "a flag");
        try {
            return withEtag(flags.update(Authentication.caller(security), id, expected, body));
        } catch (FlagService.VersionMismatch mismatch) {
            return Versions.preconditionFailed(mismatch);
        }
    }

    @POST
    @Path("/{id}/archive")
    @RequiresRole(Role.DEVELOPER)
    public Response archive(@Context SecurityContext security, @PathParam("id") String id) {
        return withEtag(flags.archive(Authentication.caller(security), id));
    }

    /** Turns the flag off in {@code environment} (default {@code flags.default-environment}) at once; no If-Match. */
    @POST
    @Path("/{id}/kill")
    @RequiresRole(Role.DEVELOPER)
    public Response kill(@Context SecurityContext security, @PathParam("id") String id, KillRequest body) {
        Optional<String> environment = Optional.ofNullable(body).map(KillRequest::environment);
        return withEtag(flags.kill(Authentication.caller(security), id, environment));
    }

    @GET
    @Path("/{id}/status")
    @RequiresRole(Role.VIEWER)
    public FlagService.FlagStatus status(@PathParam("id") String id, @QueryParam("environment") String environment) {
        return flags.status(id, Optional.ofNullable(environment).filter(name -> !name.isBlank()));
    }

    private static Response withEtag(FlagRepresentation flag) {
        return Response.ok(flag).header(HttpHeaders.ETAG, Versions.etag(flag.version())).build();
    }
}
