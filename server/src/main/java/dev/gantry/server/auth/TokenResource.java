package dev.gantry.server.auth;

import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@Path("/api/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenResource {
    private final IdentityService identity;

    @Inject
    public TokenResource(IdentityService identity) {
        this.identity = identity;
    }

    public record TokenList(List<TokenRepresentation> tokens) {
    }

    /** {@code user_id} (admin only) makes a token for another user, e.g. a CI robot. */
    public record NewToken(String name, String userId, Integer expiresInDays) {
    }

    /** The token itself appears in this response only. */
    public record CreatedTokenRepresentation(String id, String token, String userId, String name, String prefix,
                                             java.time.Instant createdAt, java.time.Instant expiresAt) {
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public TokenList list(@Context SecurityContext security, @QueryParam("user_id") String userId) {
        return new TokenList(identity.tokens(Authentication.caller(security), Optional.ofNullable(userId)));
    }

    @POST
    @RequiresRole(Role.VIEWER)
    public Response create(@Context SecurityContext security, NewToken body) {
        if (body == null || body.name() == null) {
            throw ApiException.missingField("name");
        }
        if (body.expiresInDays() != null && (body.expiresInDays() < 1 || body.expiresInDays() > 3650)) {
            throw ApiException.badRequest("expires_in_days must be between 1 and 3650");
        }
        IdentityService.CreatedToken created = identity.createToken(Authentication.caller(security),
                Optional.ofNullable(body.userId()), body.name(),
                Optional.ofNullable(body.expiresInDays()).map(Duration::ofDays));
        TokenRepresentation t = created.token();
        return Response.status(Response.Status.CREATED)
                .entity(new CreatedTokenRepresentation(t.id(), created.secret(), t.userId(), t.name(), t.prefix(),
                        t.createdAt(), t.expiresAt()))
                .build();
    }

    @DELETE
    @Path("/{id}")
    @RequiresRole(Role.VIEWER)
    public TokenRepresentation revoke(@Context SecurityContext security, @PathParam("id") String id) {
        return identity.revokeToken(Authentication.caller(security), id);
    }
}
