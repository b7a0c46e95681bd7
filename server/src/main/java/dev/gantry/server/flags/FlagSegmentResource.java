package dev.gantry.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/** {@code /api/flag-segments}: reusable, named lists of constraints that flag rules refer to by key. */
@Path("/api/flag-segments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FlagSegmentResource {
    private final FlagService flags;

    @Inject
    public FlagSegmentResource(FlagService flags) {
        this.flags = flags;
    }

    public record SegmentList(List<SegmentRepresentation> segments) {
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public SegmentList list() {
        return new SegmentList(flags.segments());
    }

    @POST
    @RequiresRole(Role.DEVELOPER)
    public Response create(@Context SecurityContext security, @Context UriInfo uri, JsonNode body) {
        SegmentRepresentation created = flags.createSegment(Authentication.caller(security), body);
        return Response.created(uri.getBaseUriBuilder().path("api/flag-segments").path(created.key()).build())
                .header(HttpHeaders.ETAG, Versions.etag(created.version()))
                .entity(created)
                .build();
    }

    @GET
    @Path("/{key}")
    @RequiresRole(Role.VIEWER)
    public Response get(@PathParam("key") String key) {
        SegmentRepresentation segment = flags.segment(key);
        return Response.ok(segment).header(HttpHeaders.ETAG, Versions.etag(segment.version())).build();
    }

    @PUT
    @Path("/{key}")
    @RequiresRole(Role.DEVELOPER)
    public Response update(@Context SecurityContext security, @PathParam("key") String key,
                           @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, JsonNode body) {
        long expected = Versions.required(ifMatch, "a segment");
        try {
            SegmentRepresentation segment = flags.updateSegment(Authentication.caller(security), key, expected, body);
            return Response.ok(segment).header(HttpHeaders.ETAG, Versions.etag(segment.version())).build();
        } catch (FlagService.VersionMismatch mismatch) {
            return Versions.preconditionFailed(mismatch);
        }
    }

    /** Deletes a segment that no live flag uses (409 naming them otherwise); If-Match is checked when sent. */
    @DELETE
    @Path("/{key}")
    @RequiresRole(Role.DEVELOPER)
    public Response delete(@Context SecurityContext security, @PathParam("key") String key,
                           @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        try {
            flags.deleteSegment(Authentication.caller(security), key, Versions.optional(ifMatch));
            return Response.noContent().build();
        } catch (FlagService.VersionMismatch mismatch) {
            return Versions.preconditionFailed(mismatch);
        }
    }
}
