package dev.gantry.server.http;

import java.util.Map;

/** The body of every error response. */
public record ErrorRepresentation(String error, String message, Map<String, Object> details) {
    public ErrorRepresentation {
        details = Map.copyOf(details);
    }
}
