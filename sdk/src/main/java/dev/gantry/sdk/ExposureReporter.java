package dev.gantry.sdk;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts what evaluations served (one {@link ExposureCounter} per flag key, kept for the client's life) and posts
 * it to {@code POST /api/flags/exposures} as {@code {"environment", "flags": [{"key", "variants": {variant: count},
 * "users": distinct}]}}, from which the server reports {@code active_users}. A failed post is logged at debug and
 * its counts dropped: reporting never holds up an evaluation and never retries into a growing backlog.
 */
final class ExposureReporter {
    private static final System.Logger LOG = System.getLogger(GantryFlags.class.getName());

    private final ConcurrentHashMap<String, ExposureCounter> counters = new ConcurrentHashMap<>();
    private final HttpClient http;
    private final URI uri;
    private final String token;
    private final String environment;
    private final Duration timeout;

    ExposureReporter(HttpClient http, URI uri, String token, String environment, Duration timeout) {
        this.http = http;
        this.uri = uri;
        this.token = token;
        this.environment = environment;
        this.timeout = timeout;
    }

    ExposureCounter counter(String flagKey) {
        return counters.computeIfAbsent(flagKey, ExposureCounter::new);
    }

    /** The report body of what was counted since the last call, or null when nothing was evaluated. */
    Map<String, Object> drain() {
        List<Object> flags = new ArrayList<>();
        for (ExposureCounter counter : counters.values()) {
            Map<String, Long> variants = counter.drainVariants();
            long users = counter.drainUsers();
            if (variants.isEmpty()) {
                continue;
            }
            LinkedHashMap<String, Object> flag = new LinkedHashMap<>();
            flag.put("key", counter.flagKey);
            flag.put("variants", variants);
            flag.put("users", users);
            flags.add(flag);
        }
        if (flags.isEmpty()) {
            return null;
        }
        LinkedHashMap<String, Object> body = new LinkedHashMap<>();
        body.put("environment", environment);
        body.put("flags", flags);
        return body;
    }

    /** Posts what was counted; the future completes when the post is done or has failed. */
    CompletableFuture<Void> report() {
        Map<String, Object> body;
        try {
            body = drain();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Gantry flags: exposure counts dropped: {0}", e.toString());
            return CompletableFuture.completedFuture(null);
        }
        if (body == null) {
            return CompletableFuture.completedFuture(null);
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build();
        try {
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .handle((response, error) -> {
                        if (error != null) {
                            LOG.log(Level.DEBUG, "Gantry flags: exposure report not sent: {0}", error.toString());
                        } else if (response.statusCode() / 100 != 2) {
                            LOG.log(Level.DEBUG, "Gantry flags: exposure report answered HTTP {0}; counts dropped",
                                    response.statusCode());
                        }
                        return null;
                    });
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Gantry flags: exposure report not sent: {0}", e.toString());
            return CompletableFuture.completedFuture(null);
        }
    }
}
