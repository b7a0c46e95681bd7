package dev.gantry.router;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the admin API sets and state.json holds: a fence and, per version, its weight (0..100) and backends
 * ({@code host:port}). Immutable; versions sorted by name, which is also the order weights are laid out in over the
 * 100 buckets.
 */
public record RouterState(long fence, SortedMap<String, Version> versions) {
    public static final RouterState EMPTY = new RouterState(0, new TreeMap<>());

    public RouterState {
        versions = Collections.unmodifiableSortedMap(new TreeMap<>(versions));
    }

    /** One version: its share of the traffic in percent and where it runs. */
    public record Version(int weight, List<String> backends) {
        public Version {
            backends = List.copyOf(backends);
        }
    }
}
