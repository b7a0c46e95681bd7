package dev.gantry.server.build;

import dev.gantry.plugin.api.build.LogSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One build attempt's log on its way to the database: secret values masked, batched into chunks (flushed every
 * 100 ms, or sooner when a chunk fills up) so followers see output live without a row per line, and capped: past
 * the limit one marker line says so and the rest is counted, not kept.
 */
final class BuildLogWriter implements LogSink, AutoCloseable {
    /** Lines Gantry itself writes (stage boundaries, outcomes), as opposed to the steps' own output. */
    static final String GANTRY_PREFIX = "==> ";
    static final String MASK = "***";
    private static final int CHUNK_LINES = 1000;
    private static final int CHUNK_BYTES = 256 * 1024;
    private static final int MAX_LINE_CHARS = 64 * 1024;

    private final BuildCoordinator coordinator;
    private final BuildLease lease;
    private final long limitBytes;
    private final List<String> secrets;
    private final ScheduledFuture<?> flusher;
    private final List<String> pending = new ArrayList<>();
    private long pendingBytes;
    private long nextLine;
    private long bytes;
    private boolean truncated;
    private long omittedLines;
    private long omittedBytes;
    private volatile boolean leaseLost;

    BuildLogWriter(BuildCoordinator coordinator, BuildLease lease, long limitBytes, ScheduledExecutorService scheduler) {
        this.coordinator = coordinator;
        this.lease = lease;
        this.limitBytes = limitBytes;
        this.secrets = new ArrayList<>();
        this.nextLine = lease.logLines() + 1;
        this.bytes = lease.logBytes();
        this.flusher = scheduler.scheduleWithFixedDelay(this::flushQuietly, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** Values that must never appear in the log (secrets given to the steps); longest first so none is half-masked. */
    synchronized void mask(List<String> values) {
        values.stream().filter(value -> value != null && value.length() >= 3).forEach(secrets::add);
        secrets.sort(Comparator.comparingInt(String::length).reversed());
    }

    /** A line of Gantry's own. */
    void gantry(String text) {
        line(GANTRY_PREFIX + text);
    }

    @Override
    public synchronized void line(String text) {
        String line = masked(text.length() > MAX_LINE_CHARS ? text.substring(0, MAX_LINE_CHARS) + " [line cut]" : text)
                .replace('\n', ' ');
        int size = line.getBytes(StandardCharsets.UTF_8).length + 1;
        if (truncated) {
            omittedLines++;
            omittedBytes += size;
            return;
        }
        if (bytes + pendingBytes + size > limitBytes) {
            truncated = true;
            omittedLines++;
            omittedBytes += size;
            add(GANTRY_PREFIX + "log truncated: this build's log reached its limit of " + (limitBytes / (1024 * 1024))
                    + " MiB (build.log-limit-mib); later output is not kept", 0);
            return;
        }
        add(line, size);
        if (pending.size() >= CHUNK_LINES || pendingBytes >= CHUNK_BYTES) {
            flush();
        }
    }

    private void add(String line, int size) {
        pending.add(line);
        pendingBytes += size;
    }

    private String masked(String text) {
        String result = text;
        for (String secret : secrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }

    synchronized void flush() {
        if (pending.isEmpty() || leaseLost) {
            return;
        }
        if (!coordinator.appendLog(lease, nextLine, List.copyOf(pending), pendingBytes, truncated)) {
            leaseLost = true;
        }
        nextLine += pending.size();
        bytes += pendingBytes;
        pending.clear();
        pendingBytes = 0;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            // the next flush tries again; the lines stay pending
        }
    }

    boolean leaseLost() {
        return leaseLost;
    }

    @Override
    public synchronized void close() {
        flusher.cancel(false);
        if (truncated && omittedLines > 0) {
            pending.add(GANTRY_PREFIX + omittedLines + " more lines (" + omittedBytes + " bytes) were not kept");
        }
        flush();
    }
}
