package dev.gantry.server.auth;

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

/** Admins make the tokens build agents run with (docs/agents.md). */
@Path("/api/agent-tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RequiresRole(Role.ADMIN)
public class AgentTokenResource {
    private final AgentTokens tokens;

    @Inject
    public AgentTokenResource(AgentTokens tokens) {
        this.tokens = tokens;
    }

    public record TokenList(List<AgentTokens.AgentTokenRepresentation> tokens) {
    }

    public record NewToken(String name) {
    }

    /** The token itself appears in this response only. */
    public record CreatedToken(String id, String token, String name, String prefix, java.time.Instant createdAt) {
    }

    @GET
    public TokenList list() {
        return new TokenList(tokens.list());
    }

    @POST
    public Response create(@Context SecurityContext security, NewToken body) {
        AgentTokens.Created created = tokens.create(Authentication.caller(security), body == null ? null : body.name());
        AgentTokens.AgentTokenRepresentation token = created.token();
        return Response.status(Response.Status.CREATED)
                .entity(new CreatedToken(token.id(), created.secret(), token.name(), token.prefix(), token.createdAt()))
                .build();
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@Context SecurityContext security, @PathParam("id") String id) {
        tokens.delete(Authentication.caller(security), id);
        return Response.noContent().build();
    }
}
