package dev.gantry.server.plugins;

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
import java.io.InputStream;
import java.util.List;

@Path("/api/plugins")
@Produces(MediaType.APPLICATION_JSON)
public class PluginResource {
    private final PluginService plugins;

    @Inject
    public PluginResource(PluginService plugins) {
        this.plugins = plugins;
    }

    public record PluginList(List<PluginRepresentation> plugins) {
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public PluginList list() {
        return new PluginList(plugins.list());
    }

    @GET
    @Path("/{id}")
    @RequiresRole(Role.VIEWER)
    public PluginRepresentation get(@PathParam("id") String id) {
        return plugins.get(id);
    }

    /** Installs the plugin zip sent as the body. */
    @POST
    @Consumes({"application/zip", MediaType.APPLICATION_OCTET_STREAM})
    @RequiresRole(Role.ADMIN)
    public Response install(@Context SecurityContext security, InputStream zip) {
        PluginRepresentation plugin = plugins.install(Authentication.caller(security), zip);
        return Response.status(Response.Status.CREATED).entity(plugin).build();
    }

    @POST
    @Path("/{id}/enable")
    @RequiresRole(Role.ADMIN)
    public PluginRepresentation enable(@Context SecurityContext security, @PathParam("id") String id) {
        return plugins.enable(Authentication.caller(security), id);
    }

    @POST
    @Path("/{id}/disable")
    @RequiresRole(Role.ADMIN)
    public PluginRepresentation disable(@Context SecurityContext security, @PathParam("id") String id) {
        return plugins.disable(Authentication.caller(security), id);
    }

    @DELETE
    @Path("/{id}")
    @RequiresRole(Role.ADMIN)
    public Response uninstall(@Context SecurityContext security, @PathParam("id") String id) {
        plugins.uninstall(Authentication.caller(security), id);
        return Response.noContent().build();
    }
}
