package dev.gantry.plugin.api.notify;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An event worth telling: {@code event} is a stable code (e.g. {@code build.failed}), {@code title} and {@code text}
 * are for people, {@code link} points at the page in the UI, {@code fields} carry the facts.
 */
public record Notification(String event, String title, String text, String link, Map<String, String> fields,
                           Instant occurredAt) {
    public Notification {
        Objects.requireNonNull(event, "event is null");
        Objects.requireNonNull(title, "title is null");
        Objects.requireNonNull(text, "text is null");
        Objects.requireNonNull(link, "link is null");
        fields = Map.copyOf(fields);
        Objects.requireNonNull(occurredAt, "occurredAt is null");
    }
}
