package dev.gantry.router;

import java.util.Arrays;

/**
 * One version's request samples: a ring buffer of (completion time in epoch ms, latency in ns, status) in three
 * primitive arrays, no object per request. It starts small and doubles up to its capacity, then overwrites the
 * oldest. Writers and readers take the buffer's lock; a write is a few array stores.
 */
final class SampleBuffer {
    private static final int INITIAL = 1024;

    private final int capacity;
    private long[] times;
    private long[] latencies;
    private short[] statuses;
    /** Where the next sample goes. */
    private int next;
    private int size;
    private long total;

    SampleBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        int initial = Math.min(capacity, INITIAL);
        times = new long[initial];
        latencies = new long[initial];
        statuses = new short[initial];
    }

    synchronized void add(long completedAtMillis, long latencyNanos, int status) {
        if (size == times.length && times.length < capacity) {
            // not wrapped yet: the samples are 0..size-1 in order and next is 0
            int grown = (int) Math.min(capacity, 2L * times.length);
            times = Arrays.copyOf(times, grown);
            latencies = Arrays.copyOf(latencies, grown);
            statuses = Arrays.copyOf(statuses, grown);
            next = size;
        }
        times[next] = completedAtMillis;
        latencies[next] = latencyNanos;
        statuses[next] = (short) status;
        next = next + 1 == times.length ? 0 : next + 1;
        if (size < times.length) {
            size++;
        }
        total++;
    }

    /** Samples that completed in [from, to), oldest first (in the order they were recorded). */
    synchronized Samples between(long fromMillis, long toMillis) {
        int start = size < times.length ? 0 : next;
        int count = 0;
        for (int i = 0, idx = start; i < size; i++, idx = idx + 1 == times.length ? 0 : idx + 1) {
            long t = times[idx];
            if (t >= fromMillis && t < toMillis) {
                count++;
            }
        }
        Samples out = new Samples(count);
        for (int i = 0, idx = start; i < size && out.size < count; i++, idx = idx + 1 == times.length ? 0 : idx + 1) {
            long t = times[idx];
            if (t >= fromMillis && t < toMillis) {
                out.times[out.size] = t;
                out.latencyNanos[out.size] = latencies[idx];
                out.statuses[out.size] = statuses[idx];
                out.size++;
            }
        }
        return out;
    }

    synchronized int size() {
        return size;
    }

    /** Samples ever recorded, including those overwritten. */
    synchronized long total() {
        return total;
    }

    /** A copy taken under the lock, written out without it. */
    static final class Samples {
        final long[] times;
        final long[] latencyNanos;
        final short[] statuses;
        int size;

        Samples(int capacity) {
            times = new long[capacity];
            latencyNanos = new long[capacity];
            statuses = new short[capacity];
        }
    }
}
