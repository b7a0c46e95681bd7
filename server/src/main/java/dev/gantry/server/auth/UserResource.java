package dev.gantry.server.auth;

import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
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
import java.util.Optional;

@Path("/api/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserResource {
    private final IdentityService identity;
    private final PasswordService passwords;

    @Inject
    public UserResource(IdentityService identity, PasswordService passwords) {
        this.identity = identity;
        this.passwords = passwords;
    }

    public record UserList(List<UserRepresentation> users) {
    }

    public record NewUser(String name, Role role) {
    }

    public record UserChange(Role role, Boolean disabled) {
    }

    /** {@code current_password} may be left out while the user has no password yet. */
    public record PasswordChange(String currentPassword, String newPassword) {
    }

    public record PasswordReset(String newPassword) {
    }

    @GET
    @RequiresRole(Role.ADMIN)
    public UserList list() {
        return new UserList(identity.users());
    }

    @POST
    @RequiresRole(Role.ADMIN)
    public Response create(@Context SecurityContext security, NewUser body) {
        if (body == null || body.name() == null) {
            throw ApiException.missingField("name");
        }
        if (body.role() == null) {
            throw ApiException.missingField("role");
        }
        UserRepresentation user = identity.createUser(Authentication.caller(security), body.name(), body.role());
        return Response.status(Response.Status.CREATED).entity(user).build();
    }

    @GET
    @Path("/me")
    @RequiresRole(Role.VIEWER)
    public UserRepresentation me(@Context SecurityContext security) {
        return identity.user(Authentication.caller(security).userId());
    }

    @GET
    @Path("/{id}")
    @RequiresRole(Role.ADMIN)
    public UserRepresentation get(@PathParam("id") String id) {
        return identity.user(id);
    }

    @PATCH
    @Path("/{id}")
    @RequiresRole(Role.ADMIN)
    public UserRepresentation update(@Context SecurityContext security, @PathParam("id") String id, UserChange body) {
        if (body == null || (body.role() == null && body.disabled() == null)) {
            throw ApiException.badRequest("send 'role' and/or 'disabled'");
        }
        return identity.updateUser(Authentication.caller(security), id, Optional.ofNullable(body.role()),
                Optional.ofNullable(body.disabled()));
    }

    /** Sets or changes the caller's own password; ends their other sessions. */
    @PUT
    @Path("/me/password")
    @RequiresRole(Role.VIEWER)
    public UserRepresentation changeOwnPassword(@Context SecurityContext security, @Context HttpServletRequest request,
                                                PasswordChange body) {
        if (body == null || body.newPassword() == null) {
            throw ApiException.missingField("new_password");
        }
        return passwords.changeOwn(Authentication.caller(security), Optional.ofNullable(body.currentPassword()),
                body.newPassword(), request.getRemoteAddr());
    }

    /** An admin sets or resets another user's password; ends all of that user's sessions. */
    @PUT
    @Path("/{id}/password")
    @RequiresRole(Role.ADMIN)
    public UserRepresentation resetPassword(@Context SecurityContext security, @PathParam("id") String id,
                                            PasswordReset body) {
        if (body == null || body.newPassword() == null) {
            throw ApiException.missingField("new_password");
        }
        return passwords.reset(Authentication.caller(security), id, body.newPassword());
    }
}
