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

    /** The server takes at most this many flags in one report. */
    static final int MAX_FLAGS_PER_REPORT = 1000;

    /** The report bodies of what was counted since the last call (none when nothing was evaluated). */
    List<Map<String, Object>> drain() {
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
        List<Map<String, Object>> bodies = new ArrayList<>();
        for (int from = 0; from < flags.size(); from += MAX_FLAGS_PER_REPORT) {
            LinkedHashMap<String, Object> body = new LinkedHashMap<>();
            body.put("environment", environment);
            body.put("flags", flags.subList(from, Math.min(flags.size(), from + MAX_FLAGS_PER_REPORT)));
            bodies.add(body);
        }
        return bodies;
    }

    /** Posts what was counted; the future completes when the posts are done or have failed. */
    CompletableFuture<Void> report() {
        List<Map<String, Object>> bodies;
        try {
            bodies = drain();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Gantry flags: exposure counts dropped: {0}", e.toString());
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<?>[] posts = new CompletableFuture<?>[bodies.size()];
        for (int i = 0; i < posts.length; i++) {
            posts[i] = post(bodies.get(i));
        }
        return CompletableFuture.allOf(posts);
    }

    private CompletableFuture<Void> post(Map<String, Object> body) {
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
