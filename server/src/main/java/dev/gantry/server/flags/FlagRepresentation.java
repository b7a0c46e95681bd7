package dev.gantry.server.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.plugin.api.flags.FlagDefinition;
import dev.gantry.server.http.Json;
import java.time.Instant;

/**
 * A flag as the API returns it: the docs/flags.md document, plus {@code flag_id} (its key, as the reference design
 * names it) and {@code stale} (the hygiene job found it settled and unchanged for {@code flags.stale-after}).
 */
public record FlagRepresentation(String flagId, String key, String description, String owner, String type,
                                 boolean archived, boolean stale, long version, Instant createdAt, Instant updatedAt,
                                 ObjectNode environments) {

    static FlagRepresentation of(FlagDefinition flag, boolean stale) {
        return new FlagRepresentation(flag.key(), flag.key(), flag.description(), flag.owner(), flag.type(), flag.archived(),
                stale, flag.version(), flag.createdAt(), flag.updatedAt(), environments(flag));
    }

    /** The docs/flags.md document of a flag: what the audit log records and stream events carry. */
    static ObjectNode document(FlagDefinition flag) {
        ObjectNode document = Json.mapper().createObjectNode();
        document.put("key", flag.key());
        document.put("description", flag.description());
        document.put("owner", flag.owner());
        document.put("type", flag.type());
        document.put("archived", flag.archived());
        document.put("version", flag.version());
        document.put("created_at", flag.createdAt().toString());
        document.put("updated_at", flag.updatedAt().toString());
        document.set("environments", environments(flag));
        return document;
    }

    /** The flag's environments document, as the store keeps it. */
    static ObjectNode environments(FlagDefinition flag) {
        try {
            JsonNode tree = Json.mapper().readTree(flag.environmentsJson());
            if (!(tree instanceof ObjectNode object)) {
                throw new IllegalStateException("flag '" + flag.key() + "' has environments that are not a JSON object");
            }
            return object;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("flag '" + flag.key() + "' has environments that are not JSON", e);
        }
    }
}
