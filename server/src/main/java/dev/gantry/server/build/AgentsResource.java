package dev.gantry.server.build;

import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The build agents that have asked this installation for work, with their labels and what they run now. */
@Path("/api/agents")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRole(Role.VIEWER)
public class AgentsResource {
    private final AgentRegistry agents;

    @Inject
    public AgentsResource(AgentRegistry agents) {
        this.agents = agents;
    }

    public record AgentList(List<AgentRegistry.AgentRepresentation> agents) {
    }

    @GET
    public AgentList list() {
        return new AgentList(agents.list());
    }
}
