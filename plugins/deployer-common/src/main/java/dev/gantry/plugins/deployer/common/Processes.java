package dev.gantry.plugins.deployer.common;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Starting processes that outlive the server, recognising them again later, and stopping them with their children.
 * Linux only: liveness and start times come from {@code /proc}.
 */
public final class Processes {
    /**
     * Two readings of one process's start instant may differ this much: the JDK derives it from the boot time, which
     * the kernel reports in whole seconds and recomputes when the wall clock is adjusted.
     */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(25);
    private static final String SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid"
            : Files.isExecutable(Path.of("/bin/setsid")) ? "/bin/setsid" : "setsid";
    /**
     * A process being started holds copies of all the JVM's open file descriptors until it execs its program, so a
     * file another thread is writing then keeps a writer a moment longer, and executing that file fails with ETXTBSY
     * ("Text file busy"): about one deploy in a thousand with several at once. Files that may be executed are written
     * under the shared side of this lock; processes start under its exclusive side.
     */
    private static final ReentrantReadWriteLock STARTING = new ReentrantReadWriteLock();

    private Processes() {
    }

    /** Writing a file: open, write and close. */
    @FunctionalInterface
    public interface FileWrite {
        void write() throws IOException;
    }

    /** Does {@code write}, of a file that may be executed later, while no process is being started (see STARTING). */
    public static void writeExecutable(FileWrite write) throws IOException {
        STARTING.readLock().lock();
        try {
            write.write();
        } finally {
            STARTING.readLock().unlock();
        }
    }

    /** Who a started process is: its pid, and what tells it from a later process that gets the same pid. */
    public record Identity(long pid, Instant startedAt, long startTicks) {
    }

    /**
     * Starts {@code command} in a session of its own ({@code setsid}), so it keeps running when the server stops and
     * is not hit by signals sent to the server's process group; stdin is /dev/null, stdout and stderr are appended to
     * {@code log}. Exactly {@code environment} is passed, nothing of the server's.
     */
    public static Process startDetached(List<String> command, Path workingDirectory, Map<String, String> environment, Path log)
            throws IOException {
        List<String> full = new ArrayList<>(command.size() + 1);
        full.add(SETSID);
        full.addAll(command);
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(full)
                .directory(workingDirectory.toFile())
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        STARTING.writeLock().lock();
        try {
            // start() returns once the child has exec'd: its copies of the descriptors are closed by then
            return builder.start();
        } finally {
            STARTING.writeLock().unlock();
        }
    }

    /** The identity of a process just started; setsid execs (it does not fork), so its pid is the program's. */
    public static Identity identify(Process process) {
        long pid = process.pid();
        Instant startedAt = process.info().startInstant().orElseGet(Instant::now);
        return new Identity(pid, startedAt, startTicks(pid).orElse(-1));
    }

    /** Whether {@code pid} runs (a zombie, dead but not yet reaped, does not). */
    public static boolean isAlive(long pid) {
        Optional<String> state = stat(pid).map(fields -> fields[0]);
        if (state.isPresent()) {
            return !state.get().equals("Z") && !state.get().equals("X");
        }
        if (Files.isDirectory(Path.of("/proc/self"))) {
            return false;
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Whether the process recorded as {@code identity} still runs: its pid is alive and was started when the record
     * says. Pids are reused, so a live pid alone could be some other program.
     */
    public static boolean isRunning(Identity identity) {
        if (!isAlive(identity.pid())) {
            return false;
        }
        OptionalLong ticks = startTicks(identity.pid());
        if (identity.startTicks() >= 0 && ticks.isPresent()) {
            return ticks.getAsLong() == identity.startTicks();
        }
        return ProcessHandle.of(identity.pid()).flatMap(handle -> handle.info().startInstant())
                .map(started -> Duration.between(started, identity.startedAt()).abs().compareTo(START_TOLERANCE) <= 0)
                .orElse(false);
    }

    /**
     * Stops the process and every process it started: SIGTERM to all of them, SIGKILL to those still running after
     * {@code grace}. Returns once they are gone (or after a further second, should SIGKILL not have taken yet).
     */
    public static void stopTree(Identity identity, Duration grace) {
        if (!isRunning(identity)) {
            return;
        }
        Optional<ProcessHandle> root = ProcessHandle.of(identity.pid());
        if (root.isEmpty()) {
            return;
        }
        // the tree is taken before the first signal: once the root exits, its children belong to init, no longer to it
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root.get());
        root.get().descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        if (awaitExit(tree, grace)) {
            return;
        }
        if (root.get().isAlive()) {
            root.get().descendants().filter(handle -> !tree.contains(handle)).forEach(tree::add);
        }
        tree.stream().filter(handle -> isAlive(handle.pid())).forEach(ProcessHandle::destroyForcibly);
        awaitExit(tree, Duration.ofSeconds(1));
    }

    private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (processes.stream().noneMatch(handle -> isAlive(handle.pid()))) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            sleep(POLL);
        }
    }

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The process's arguments, program first, from {@code /proc/<pid>/cmdline}; empty when it cannot be read. */
    public static List<String> commandLine(long pid) {
        try {
            String text = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\0"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Field 22 of {@code /proc/<pid>/stat}: when the process started, in clock ticks since boot. Exact and stable. */
    public static OptionalLong startTicks(long pid) {
        return stat(pid).map(fields -> OptionalLong.of(Long.parseLong(fields[19]))).orElse(OptionalLong.empty());
    }

    /** The fields of {@code /proc/<pid>/stat} after the command name (which may itself hold spaces and parentheses). */
    private static Optional<String[]> stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return fields.length > 19 ? Optional.of(fields) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
