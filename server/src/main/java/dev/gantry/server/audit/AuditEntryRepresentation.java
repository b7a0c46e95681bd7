package dev.gantry.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One audited action as the API returns it; {@code before} and {@code after} are the states as JSON. */
public record AuditEntryRepresentation(String id, Instant occurredAt, String actor, String action, String target,
                                       JsonNode before, JsonNode after) {
}
