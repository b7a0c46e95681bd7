package dev.gantry.plugin.api.scm;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A webhook delivery as received: header names are lower case. */
public record WebhookRequest(Map<String, List<String>> headers, byte[] body) {
    public WebhookRequest {
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers is null"));
        body = Objects.requireNonNull(body, "body is null").clone();
    }

    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
