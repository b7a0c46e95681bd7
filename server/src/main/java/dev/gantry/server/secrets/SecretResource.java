package dev.gantry.server.secrets;

import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import java.util.Optional;

@Path("/api/secrets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SecretResource {
    private final SecretService secrets;

    @Inject
    public SecretResource(SecretService secrets) {
        this.secrets = secrets;
    }

    public record SecretList(List<SecretRepresentation> secrets) {
    }

    public record SecretValue(String scope, String name, String value) {
    }

    @GET
    @RequiresRole(Role.ADMIN)
    public SecretList list(@QueryParam("scope") String scope) {
        return new SecretList(secrets.list(Optional.ofNullable(scope)));
    }

    /** Creates or replaces a secret: {@code {scope, name, value}}. */
    @PUT
    @RequiresRole(Role.ADMIN)
    public SecretRepresentation put(@Context SecurityContext security, SecretValue body) {
        if (body == null || body.scope() == null) {
            throw ApiException.missingField("scope");
        }
        if (body.name() == null) {
            throw ApiException.missingField("name");
        }
        if (body.value() == null) {
            throw ApiException.missingField("value");
        }
        return secrets.put(Authentication.caller(security), body.scope(), body.name(), body.value());
    }

    @DELETE
    @Path("/{id}")
    @RequiresRole(Role.ADMIN)
    public Response delete(@Context SecurityContext security, @PathParam("id") String id) {
        secrets.delete(Authentication.caller(security), id);
        return Response.noContent().build();
    }
}
