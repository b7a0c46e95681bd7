package dev.gantry.server.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.gantry.plugin.api.flags.SegmentDefinition;
import dev.gantry.server.http.Json;
import java.time.Instant;

/** A segment as the API returns it. */
public record SegmentRepresentation(String key, String description, long version, Instant createdAt, Instant updatedAt,
                                    ArrayNode constraints) {

    static SegmentRepresentation of(SegmentDefinition segment) {
        return new SegmentRepresentation(segment.key(), segment.description(), segment.version(), segment.createdAt(),
                segment.updatedAt(), constraints(segment));
    }

    static ArrayNode constraints(SegmentDefinition segment) {
        try {
            JsonNode tree = Json.mapper().readTree(segment.constraintsJson());
            if (!(tree instanceof ArrayNode array)) {
                throw new IllegalStateException("segment '" + segment.key() + "' has constraints that are not a JSON list");
            }
            return array;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("segment '" + segment.key() + "' has constraints that are not JSON", e);
        }
    }
}
