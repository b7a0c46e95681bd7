package dev.gantry.router;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * An immutable routing decision table built from one {@link RouterState}; the router swaps a whole new one in on
 * every accepted change, so the next request sees the new weights and in-flight ones are not affected.
 *
 * <p>Weights are laid out over 100 buckets in version-name order (a version of weight w owns w consecutive
 * buckets). A request goes to: the version named by {@code X-Gantry-Version} if that version has backends (whatever
 * its weight); else, when weights are set, the bucket of its sticky key ({@code X-Gantry-Sticky} header, else the
 * {@code gantry_sticky} cookie) hashed with {@link Murmur3}, or a random bucket when it has none.
 */
final class RoutingTable {
    static final String STICKY_HEADER = "X-Gantry-Sticky";
    static final String STICKY_COOKIE = "gantry_sticky";

    final RouterState state;
    private final Map<String, Route> routes;
    /** Bucket to version; null when no version has weight. */
    private final Route[] buckets;

    private RoutingTable(RouterState state, Map<String, Route> routes, Route[] buckets) {
        this.state = state;
        this.routes = routes;
        this.buckets = buckets;
    }

    /**
     * The table of {@code state}. Backends that {@code previous} (null for the first table) has too are carried over,
     * in-flight counts and all.
     */
    static RoutingTable of(RouterState state, SampleStore samples, RoutingTable previous) {
        Map<String, Backend> known = previous == null ? Map.of() : previous.backends();
        // one object per address, even one that two versions share, so that every request to it is counted together
        Map<String, Backend> made = new HashMap<>();
        Function<String, Backend> backend = address -> made.computeIfAbsent(address,
                key -> known.containsKey(key) ? known.get(key) : Backend.parse(key));
        Map<String, Route> routes = new HashMap<>();
        Route[] buckets = new Route[100];
        int filled = 0;
        for (Map.Entry<String, RouterState.Version> entry : state.versions().entrySet()) {
            Route route = new Route(entry.getKey(), entry.getValue(), samples.forVersion(entry.getKey()), backend);
            routes.put(entry.getKey(), route);
            for (int i = 0; i < route.weight && filled < 100; i++) {
                buckets[filled++] = route;
            }
        }
        samples.retainActive(routes.keySet());
        return new RoutingTable(state, Map.copyOf(routes), filled == 100 ? buckets : null);
    }

    /** The version for a request with these headers, or null when no version has weight. */
    Route choose(HttpFields headers) {
        String forced = headers.get(RouterProxyHandler.VERSION_HEADER);
        if (forced != null) {
            Route route = routes.get(forced);
            if (route != null && route.backends.length > 0) {
                return route;
            }
        }
        Route[] table = buckets;
        if (table == null) {
            return null;
        }
        String sticky = headers.get(STICKY_HEADER);
        if (sticky != null && !sticky.isEmpty()) {
            return table[Murmur3.bucket(sticky, 0, sticky.length())];
        }
        String cookie = headers.get(HttpHeader.COOKIE);
        if (cookie != null) {
            int bucket = cookieBucket(cookie);
            if (bucket >= 0) {
                return table[bucket];
            }
        }
        return table[ThreadLocalRandom.current().nextInt(100)];
    }

    /** The sticky bucket of the {@code gantry_sticky} cookie in a Cookie header, or -1; allocation-free. */
    static int cookieBucket(String cookie) {
        int n = cookie.length();
        int i = 0;
        while (i < n) {
            while (i < n && (cookie.charAt(i) == ' ' || cookie.charAt(i) == '\t' || cookie.charAt(i) == ';')) {
                i++;
            }
            int nameEnd = i;
            while (nameEnd < n && cookie.charAt(nameEnd) != '=' && cookie.charAt(nameEnd) != ';') {
                nameEnd++;
            }
            int valueStart = nameEnd < n && cookie.charAt(nameEnd) == '=' ? nameEnd + 1 : nameEnd;
            int valueEnd = valueStart;
            while (valueEnd < n && cookie.charAt(valueEnd) != ';') {
                valueEnd++;
            }
            if (nameEnd - i == STICKY_COOKIE.length() && cookie.startsWith(STICKY_COOKIE, i) && valueStart > nameEnd) {
                int from = valueStart;
                int to = valueEnd;
                while (to > from && (cookie.charAt(to - 1) == ' ' || cookie.charAt(to - 1) == '\t')) {
                    to--;
                }
                if (to - from >= 2 && cookie.charAt(from) == '"' && cookie.charAt(to - 1) == '"') {
                    from++;
                    to--;
                }
                return to > from ? Murmur3.bucket(cookie, from, to) : -1;
            }
            i = valueEnd;
        }
        return -1;
    }

    Route route(String version) {
        return routes.get(version);
    }

    /** Every backend of every version, by address. */
    Map<String, Backend> backends() {
        Map<String, Backend> all = new HashMap<>();
        for (Route route : routes.values()) {
            for (Backend backend : route.backends) {
                all.put(backend.address(), backend);
            }
        }
        return all;
    }
}
