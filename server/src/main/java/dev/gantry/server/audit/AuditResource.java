package dev.gantry.server.audit;

import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
    private final AuditService audit;

    @Inject
    public AuditResource(AuditService audit) {
        this.audit = audit;
    }

    public record AuditPage(List<AuditEntryRepresentation> entries) {
    }

    /** Newest first; {@code since}/{@code until} are ISO-8601 instants, {@code action} a prefix. */
    @GET
    @RequiresRole(Role.ADMIN)
    public AuditPage list(@QueryParam("actor") String actor, @QueryParam("action") String action,
                          @QueryParam("target") String target, @QueryParam("since") String since,
                          @QueryParam("until") String until, @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new ApiException(400, "invalid_parameter", "limit must be between 1 and 1000", Map.of("parameter", "limit"));
        }
        return new AuditPage(audit.find(new AuditQuery(Optional.ofNullable(actor), Optional.ofNullable(action),
                Optional.ofNullable(target), instant("since", since), instant("until", until), limit)));
    }

    private static Optional<Instant> instant(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "invalid_parameter", parameter + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z",
                    Map.of("parameter", parameter));
        }
    }
}
