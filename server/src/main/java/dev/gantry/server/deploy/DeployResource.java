package dev.gantry.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
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
import java.util.List;
import java.util.Optional;

/** {@code /api/deploys}: start a deploy, follow it, and act on it (approve, pause, promote, roll back ...). */
@Path("/api/deploys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DeployResource {
    private static final int MAX_LIST = 200;
    private final DeployService deploys;
    private final Database database;
    private final AnalysisReports analyses;

    @Inject
    public DeployResource(DeployService deploys, Database database, AnalysisReports analyses) {
        this.deploys = deploys;
        this.database = database;
        this.analyses = analyses;
    }

    /** Every look of the deploy's canary and soak analyses, oldest first (docs/canary-analysis.md). */
    public record AnalysisList(String deployId, List<JsonNode> looks) {
    }

    public record DeployList(List<DeployRepresentation> deploys) {
    }

    /** The optional body of an action: why (rollback) or a comment (approve, reject). */
    public record ActionRequest(Optional<String> reason, Optional<String> comment) {
    }

    @POST
    @RequiresRole(Role.DEPLOYER)
    public Response start(@Context SecurityContext security, DeployService.DeployRequest request) {
        DeployRepresentation deploy = deploys.start(Authentication.caller(security), request);
        return Response.status(Response.Status.CREATED).entity(deploy).build();
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public DeployList list(@QueryParam("service") String service, @QueryParam("environment") String environment,
                           @QueryParam("status") String status, @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > MAX_LIST) {
            throw ApiException.badRequest("limit is 1 to " + MAX_LIST);
        }
        return new DeployList(deploys.list(Optional.ofNullable(service), Optional.ofNullable(environment),
                Optional.ofNullable(status), limit));
    }

    @GET
    @Path("/{id}")
    @RequiresRole(Role.VIEWER)
    public DeployRepresentation get(@PathParam("id") String id) {
        return deploys.get(id, true);
    }

    @GET
    @Path("/{id}/analysis")
    @RequiresRole(Role.VIEWER)
    public AnalysisList analysis(@PathParam("id") String id) {
        deploys.get(id, false);
        return new AnalysisList(id, database.inSqlTransaction(connection -> analyses.list(connection, id)));
    }

    @POST
    @Path("/{id}/rollback")
    @RequiresRole(Role.DEPLOYER)
    public DeployService.RollbackRepresentation rollback(@Context SecurityContext security, @PathParam("id") String id,
                                                         ActionRequest body) {
        return deploys.rollback(Authentication.caller(security), id, body == null ? Optional.empty() : body.reason());
    }

    @POST
    @Path("/{id}/approve")
    @RequiresRole(Role.DEPLOYER)
    public DeployRepresentation approve(@Context SecurityContext security, @PathParam("id") String id, ActionRequest body) {
        return deploys.approve(Authentication.caller(security), id, body == null ? Optional.empty() : body.comment(), true);
    }

    @POST
    @Path("/{id}/reject")
    @RequiresRole(Role.DEPLOYER)
    public DeployRepresentation reject(@Context SecurityContext security, @PathParam("id") String id, ActionRequest body) {
        return deploys.approve(Authentication.caller(security), id, body == null ? Optional.empty() : body.comment(), false);
    }

    /** Stops before the next step; traffic stays as it is. */
    @POST
    @Path("/{id}/pause")
    @RequiresRole(Role.DEPLOYER)
    public DeployRepresentation pause(@Context SecurityContext security, @PathParam("id") String id) {
        return deploys.act(Authentication.caller(security), id, "pause");
    }

    /** Goes on from where the deploy was paused. */
    @POST
    @Path("/{id}/resume")
    @RequiresRole(Role.DEPLOYER)
    public DeployRepresentation resume(@Context SecurityContext security, @PathParam("id") String id) {
        return deploys.act(Authentication.caller(security), id, "resume");
    }

    /** Stops the deploy and moves all traffic back to the previous release. */
    @POST
    @Path("/{id}/abort")
    @RequiresRole(Role.DEPLOYER)
    public DeployRepresentation abort(@Context SecurityContext security, @PathParam("id") String id) {
        return deploys.act(Authentication.caller(security), id, "abort");
    }

    /** Ends the current step's hold now and moves on. */
    @POST
    @Path("/{id}/promote")
    @RequiresRole(Role.DEPLOYER)
    public DeployRepresentation promote(@Context SecurityContext security, @PathParam("id") String id) {
        return deploys.act(Authentication.caller(security), id, "promote");
    }
}
