package dev.gantry.router;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sample buffers, one per version. A version removed from the state keeps its samples (the analysis may still
 * read them) until {@value #RETIRED_KEPT} later-removed versions push it out.
 */
final class SampleStore {
    static final int RETIRED_KEPT = 4;

    private final int capacityPerVersion;
    private final ConcurrentHashMap<String, SampleBuffer> buffers = new ConcurrentHashMap<>();
    private final ArrayDeque<String> retired = new ArrayDeque<>();

    SampleStore(int capacityPerVersion) {
        this.capacityPerVersion = capacityPerVersion;
    }

    SampleBuffer forVersion(String version) {
        return buffers.computeIfAbsent(version, v -> new SampleBuffer(capacityPerVersion));
    }

    /** The version's buffer, or null when it never had one (or it was dropped). */
    SampleBuffer find(String version) {
        return buffers.get(version);
    }

    /** Called with the versions of each new state. */
    synchronized void retainActive(Set<String> active) {
        retired.removeIf(active::contains);
        for (String version : buffers.keySet()) {
            if (!active.contains(version) && !retired.contains(version)) {
                retired.addLast(version);
            }
        }
        while (retired.size() > RETIRED_KEPT) {
            buffers.remove(retired.removeFirst());
        }
    }

    Collection<String> versions() {
        return buffers.keySet();
    }
}
