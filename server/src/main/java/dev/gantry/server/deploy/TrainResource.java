package dev.gantry.server.deploy;

import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/** {@code /api/trains}: several services to one environment, in the order of their dependencies. */
@Path("/api/trains")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrainResource {
    private final Trains trains;

    @Inject
    public TrainResource(Trains trains) {
        this.trains = trains;
    }

    @POST
    @RequiresRole(Role.DEPLOYER)
    public Response start(@Context SecurityContext security, Trains.TrainRequest request) {
        return Response.status(Response.Status.CREATED).entity(trains.start(Authentication.caller(security), request)).build();
    }

    @GET
    @Path("/{id}")
    @RequiresRole(Role.VIEWER)
    public Trains.TrainRepresentation get(@PathParam("id") String id) {
        return trains.get(id);
    }
}
