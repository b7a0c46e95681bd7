package dev.gantry.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What Linux's /proc says about a process and the machine: CPU time and resident memory, read from outside, as the
 * benchmarks report them. A process that ended meanwhile reads as 0.
 */
final class ProcFs {
    /** The clock ticks of /proc/PID/stat and /proc/stat: 100 a second on Linux (USER_HZ). */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcFs() {
    }

    /** User and system time of the process so far, in clock ticks. */
    static long cpuTicks(long pid) {
        long[] fields = stat(pid);
        return fields[0] + fields[1];
    }

    /**
     * As {@link #cpuTicks}, plus the time of its children that ended and were waited for: the CPU of PostgreSQL's
     * exited backends lands in the postmaster's, that of stopped service instances in the server's that started them.
     */
    static long cpuTicksWithChildren(long pid) {
        long[] fields = stat(pid);
        return fields[0] + fields[1] + fields[2] + fields[3];
    }

    /** The children's part only (see {@link #cpuTicksWithChildren}). */
    static long exitedChildrenTicks(long pid) {
        long[] fields = stat(pid);
        return fields[2] + fields[3];
    }

    /** The machine's busy time so far (all cores; not idle, not waiting for I/O), in clock ticks. */
    static long busyTicks() {
        try {
            // cpu  user nice system idle iowait irq softirq steal ...
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(fields[i]);
            }
            return busy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line of /proc/PID/status in KiB, e.g. {@code VmRSS} (resident now) or {@code VmHWM} (the peak of VmRSS). */
    static long statusKib(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
            return 0;
        } catch (IOException e) {
            return 0; // it ended
        }
    }

    static long residentKib(long pid) {
        return statusKib(pid, "VmRSS");
    }

    /**
     * The proportional set size in KiB: shared pages divided among the processes that map them, so summing it over
     * PostgreSQL's processes counts its shared buffers once.
     */
    static long pssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The CPU time of the process's threads so far, in clock ticks, added up by name (as the kernel keeps it, at most
     * 15 characters) with digits made {@code N}: the JIT's compiler threads, Jetty's pool, the flag stream writers.
     * Threads that ended are not counted.
     */
    static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> byName = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byName.merge(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
                } catch (IOException e) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return byName;
    }

    /** utime, stime, cutime, cstime of /proc/PID/stat; zeros when the process is gone. */
    private static long[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the fields after the command name, which is in parentheses and may hold spaces: utime is the 14th field
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12]), Long.parseLong(fields[13]),
                    Long.parseLong(fields[14])};
        } catch (IOException e) {
            return new long[4];
        }
    }
}
