package dev.gantry.plugins.builder.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.build.StepSpec.ResourceLimits;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control groups limits are enforced with: a group per running step, a child of the cgroup the server itself runs
 * in (so whatever limits the server is under still apply to its builds), given the step's limits before the sandbox
 * starts. Both hierarchies are supported: cgroup v2 when this process's cgroup has the memory and pids controllers
 * available to its children, else cgroup v1 with writable memory and pids controllers (cpu too, when present).
 *
 * <p>Moving a process into a group waits for an RCU grace period in the kernel (8–10 ms on the machines measured),
 * while a process started by a task already in the group is born in it at no cost. Under cgroup v1, where a thread
 * may be in another group than its process, each group therefore has a thread of the server that moved into it once
 * and starts every sandbox of the group ({@link StepCgroup#start}); under v2 the sandbox's launcher moves itself in.
 * To pay the move once rather than per step, a group whose step is over and whose processes are all gone is kept,
 * with its thread, for a later step (up to {@value #MAX_IDLE}).
 */
final class Cgroups {
    static final String MEMORY = "memory";
    static final String PIDS = "pids";
    static final String CPU = "cpu";
    private static final long CPU_PERIOD_MICROS = 100_000;
    /** The name every step group starts with. */
    static final String STEP_PREFIX = "gantry-step-";
    private static final Duration ABANDONED_AFTER = Duration.ofMinutes(10);
    private static final Pattern KERNEL_VERSION = Pattern.compile("(\\d+)\\.(\\d+).*");
    /** Whether this kernel lets a server thread sit in a step's group (see {@link StepCgroup#startSpawner}). */
    private static final boolean SPAWNER_SAFE = oomKillerSparesOtherThreads(System.getProperty("os.version"));
    /** Empty groups kept for later steps; more steps at once than this make new groups. */
    static final int MAX_IDLE = 8;

    enum Version { V1, V2 }

    /** How {@link #detect()} went: the cgroups to use, or why there are none. */
    record Detection(Optional<Cgroups> cgroups, String description) {
        Detection {
            requireNonNull(cgroups, "cgroups is null");
            requireNonNull(description, "description is null");
        }
    }

    /** A line of /proc/self/mountinfo, as far as cgroups need it. */
    record Mount(Path mountPoint, String root, String type, Set<String> superOptions) {
    }

    /** A line of /proc/self/cgroup: a hierarchy's controllers (none for v2) and this process's group in it. */
    record Membership(Set<String> controllers, String path) {
    }

    private final Version version;
    /** Controller → the directory of this process's own group; for v2 every controller maps to the same one. */
    private final Map<String, Path> parents;
    private final Deque<StepCgroup> idle = new ConcurrentLinkedDeque<>();

    Cgroups(Version version, Map<String, Path> parents) {
        this.version = requireNonNull(version, "version is null");
        this.parents = Collections.unmodifiableMap(new LinkedHashMap<>(parents));
    }

    Version version() {
        return version;
    }

    Set<String> controllers() {
        return parents.keySet();
    }

    /** Finds the cgroups of this process and checks, with a throw-away group, that limits can be set here. */
    static Detection detect() {
        List<Mount> mounts;
        List<Membership> memberships;
        try {
            mounts = parseMountInfo(Files.readAllLines(Path.of("/proc/self/mountinfo")));
            memberships = parseMemberships(Files.readAllLines(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            return new Detection(Optional.empty(), "cannot read this process's cgroups: " + e.getMessage());
        }
        Optional<Cgroups> found;
        String problem;
        Optional<Path> unified = unifiedDirectory(mounts, memberships);
        if (unified.isPresent() && available(unified.get()).containsAll(List.of(MEMORY, PIDS))) {
            Path own = unified.get();
            problem = delegate(own);
            Map<String, Path> parents = new LinkedHashMap<>();
            for (String controller : List.of(MEMORY, PIDS, CPU)) {
                if (enabled(own).contains(controller)) {
                    parents.put(controller, own);
                }
            }
            if (problem == null && !parents.keySet().containsAll(List.of(MEMORY, PIDS))) {
                problem = "the memory and pids controllers are not enabled in " + own.resolve("cgroup.subtree_control");
            }
            found = problem == null ? Optional.of(new Cgroups(Version.V2, parents)) : Optional.empty();
        } else {
            Map<String, Path> parents = new LinkedHashMap<>();
            for (String controller : List.of(MEMORY, PIDS, CPU)) {
                v1Directory(mounts, memberships, controller).ifPresent(dir -> parents.put(controller, dir));
            }
            boolean usable = parents.containsKey(MEMORY) && parents.containsKey(PIDS);
            problem = usable ? null : "no cgroup v2 with memory and pids controllers, nor cgroup v1 memory and pids "
                    + "hierarchies, are mounted";
            found = usable ? Optional.of(new Cgroups(Version.V1, parents)) : Optional.empty();
        }
        if (found.isEmpty()) {
            return new Detection(found, problem);
        }
        Cgroups cgroups = found.get();
        try {
            cgroups.create(STEP_PREFIX + "probe-" + UUID.randomUUID(), ResourceLimits.DEFAULT).close();
        } catch (IOException e) {
            return new Detection(Optional.empty(), "cannot create a cgroup under " + cgroups.parents.values().stream()
                    .distinct().toList() + ": " + e.getMessage());
        }
        cgroups.removeAbandoned();
        return new Detection(found, "cgroup " + cgroups.version.name().toLowerCase() + " (" + String.join(", ",
                cgroups.controllers()) + ") under " + cgroups.parents.values().stream().distinct().toList());
    }

    /**
     * Removes the empty step groups a server that was killed left behind. Only old ones: a group just made by another
     * server on this host is empty for a moment before its sandbox joins it. A group with processes cannot be removed.
     */
    private void removeAbandoned() {
        FileTime cutoff = FileTime.from(Instant.now().minus(ABANDONED_AFTER));
        for (Path parent : parents.values().stream().distinct().toList()) {
            try (DirectoryStream<Path> groups = Files.newDirectoryStream(parent, STEP_PREFIX + "*")) {
                for (Path group : groups) {
                    try {
                        if (Files.getLastModifiedTime(group).compareTo(cutoff) < 0) {
                            Files.deleteIfExists(group);
                        }
                    } catch (IOException e) {
                        // still in use, or not ours to remove: either way it stays
                    }
                }
            } catch (IOException e) {
                // an unreadable parent was found out by the probe already
            }
        }
    }

    /**
     * A group for one step with its limits set, ready for the sandbox to join: an empty one a finished step left, or a
     * new one. Give it back with {@link #release}.
     */
    StepCgroup acquire(ResourceLimits limits) throws IOException {
        for (StepCgroup group = idle.pollFirst(); group != null; group = idle.pollFirst()) {
            try {
                group.limit(limits);
                group.countFromNow();
                return group;
            } catch (IOException e) {
                // removed by a server that took it for abandoned, or the new limits do not fit it: a new one then
                group.removeQuietly();
            }
        }
        return create(STEP_PREFIX + UUID.randomUUID(), limits);
    }

    /**
     * Takes back a step's group: what is left in it is killed; once empty it waits for the next step, unless enough
     * do already, then it is removed. A group that will not empty is left, and that is said.
     */
    void release(StepCgroup group) throws IOException {
        if (!group.killAll(Duration.ofSeconds(2))) {
            group.stopSpawner();
            throw new IOException("processes " + group.members() + " of " + group.pids + " did not die");
        }
        if (idle.size() < MAX_IDLE) {
            idle.addFirst(group);
        } else {
            group.close();
        }
    }

    /** Makes a new group with its limits set, ready for the sandbox to join. */
    StepCgroup create(String name, ResourceLimits limits) throws IOException {
        requireNonNull(name, "name is null");
        requireNonNull(limits, "limits is null");
        List<Path> created = new ArrayList<>();
        try {
            for (Path parent : parents.values().stream().distinct().toList()) {
                created.add(Files.createDirectory(parent.resolve(name)));
            }
            StepCgroup group = new StepCgroup(version, created, directory(MEMORY, name), directory(PIDS, name),
                    parents.containsKey(CPU) ? Optional.of(directory(CPU, name)) : Optional.empty());
            group.limit(limits);
            if (version == Version.V1) {
                group.startSpawner(name);
            }
            return group;
        } catch (IOException | RuntimeException e) {
            for (Path dir : created) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private Path directory(String controller, String name) {
        return parents.get(controller).resolve(name);
    }

    /** One step's group: its limits, what happened under them since the step began, and its removal. */
    static final class StepCgroup implements AutoCloseable {
        private final Version version;
        private final List<Path> directories;
        private final Path memory;
        private final Path pids;
        private final Optional<Path> cpu;
        /** The thread in this group that starts its sandboxes (cgroup v1), or null: the launcher moves in. */
        private ExecutorService spawner;
        /** The event counters when the step began: a reused group's counters go on from its earlier steps. */
        private long oomKillsBefore;
        private long processLimitHitsBefore;

        private StepCgroup(Version version, List<Path> directories, Path memory, Path pids, Optional<Path> cpu) {
            this.version = version;
            this.directories = List.copyOf(directories);
            this.memory = memory;
            this.pids = pids;
            this.cpu = cpu;
        }

        /**
         * Starts the thread that moves into this group and starts its sandboxes; without it, launchers move in. Memory
         * is charged to the group of a process's leading thread, so the server's stays where it was; and since Linux
         * 5.3 the out-of-memory killer of a memory group looks only at processes whose leading thread is in it, so a
         * step at its memory limit loses one of its own processes, never the server (the tests show it). Older
         * kernels would weigh the server too: there the launcher moves in, at its cost.
         */
        private void startSpawner(String name) {
            if (!SPAWNER_SAFE) {
                return;
            }
            ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
                Thread spawning = new Thread(runnable, "sandbox-spawner-" + name);
                spawning.setDaemon(true);
                return spawning;
            });
            try {
                thread.submit(() -> {
                    String tid = threadId();
                    for (Path directory : directories) {
                        write(directory.resolve("tasks"), tid);
                    }
                    return null;
                }).get();
                spawner = thread;
            } catch (ExecutionException | InterruptedException e) {
                thread.shutdownNow();
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /**
         * Starts {@code process}, born in this group when it has a spawner thread; else it must move in itself, by
         * writing its pid to each of {@link #launcherJoins()}. An interrupt while it starts does not lose it: it is
         * killed.
         */
        Process start(ProcessBuilder process) throws IOException {
            if (spawner == null) {
                return process.start();
            }
            Future<Process> starting = spawner.submit(process::start);
            // the JDK may make a thread to wait for the process, and a thread is born in its maker's group: after the
            // sandbox has started, the server's other threads are moved back out of this group
            spawner.execute(this::moveOutOtherThreads);
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        Process started = starting.get();
                        if (interrupted) {
                            started.destroyForcibly();
                            throw new InterruptedIOException("interrupted while starting the sandbox");
                        }
                        return started;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Moves the server's threads other than the spawner out of this group, back into its parent. */
        private void moveOutOtherThreads() {
            try {
                String self = threadId();
                for (Path directory : directories) {
                    for (String tid : Files.readAllLines(directory.resolve("tasks"))) {
                        if (!tid.isBlank() && !tid.equals(self) && Files.exists(Path.of("/proc/self/task", tid))) {
                            write(directory.getParent().resolve("tasks"), tid);
                        }
                    }
                }
            } catch (IOException e) {
                // a thread that ended meanwhile; one that stays is moved out after the next start
            }
        }

        /** The {@code cgroup.procs} files a process started by {@link #start} writes its pid to, to join this group. */
        List<Path> launcherJoins() {
            return spawner == null ? procsFiles() : List.of();
        }

        void countFromNow() {
            oomKillsBefore = oomKills();
            processLimitHitsBefore = processLimitHits();
        }

        private void limit(ResourceLimits limits) throws IOException {
            // a few processes are bwrap's own (its monitor outside the sandbox, its init inside), and under v1 the
            // spawner thread counts too: not the step's
            long notTheSteps = SandboxCommand.SANDBOX_PROCESSES + (version == Version.V1 ? 1 : 0);
            String maxProcesses = Long.toString(limits.maxProcesses() + notTheSteps);
            String memoryBytes = Long.toString(limits.memoryBytes());
            long quota = Math.max(1000, Math.round(limits.cpus() * CPU_PERIOD_MICROS));
            if (version == Version.V1) {
                // memory + swap (absent without swap accounting), without which a step could go on past its limit into
                // swap, may never be below the memory limit: set before it when raised, after it when lowered
                Path memoryAndSwap = memory.resolve("memory.memsw.limit_in_bytes");
                boolean swapAccounted = Files.exists(memoryAndSwap);
                if (swapAccounted) {
                    try {
                        write(memoryAndSwap, memoryBytes);
                    } catch (IOException belowTheMemoryLimit) {
                        // lowered: set again below, after the memory limit
                    }
                }
                write(memory.resolve("memory.limit_in_bytes"), memoryBytes);
                if (swapAccounted) {
                    write(memoryAndSwap, memoryBytes);
                }
                write(pids.resolve("pids.max"), maxProcesses);
                if (cpu.isPresent()) {
                    write(cpu.get().resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
                    write(cpu.get().resolve("cpu.cfs_quota_us"), Long.toString(quota));
                }
            } else {
                write(memory.resolve("memory.max"), memoryBytes);
                writeIfPresent(memory.resolve("memory.swap.max"), "0");
                write(pids.resolve("pids.max"), maxProcesses);
                if (cpu.isPresent()) {
                    write(cpu.get().resolve("cpu.max"), quota + " " + CPU_PERIOD_MICROS);
                }
            }
        }

        /** The files a process writes its pid to, to join this group (in every v1 hierarchy). */
        List<Path> procsFiles() {
            return directories.stream().map(dir -> dir.resolve("cgroup.procs")).toList();
        }

        /** Whether the kernel killed a process here for going over the memory limit during this step. */
        boolean outOfMemory() {
            return oomKills() > oomKillsBefore;
        }

        /** Whether a fork or clone here failed because of the process limit during this step. */
        boolean reachedProcessLimit() {
            return processLimitHits() > processLimitHitsBefore;
        }

        private long oomKills() {
            return counter(memory.resolve(version == Version.V1 ? "memory.oom_control" : "memory.events"), "oom_kill");
        }

        private long processLimitHits() {
            return counter(pids.resolve("pids.events"), "max");
        }

        /**
         * Kills every process in the group until it is empty or {@code patience} has passed; true when empty. Process
         * ids read from the group may be gone by the time they are signalled; the pid namespace makes that rare, as
         * it is torn down first, and by the time a pid is reused it is no longer listed here.
         */
        boolean killAll(Duration patience) {
            long deadline = System.nanoTime() + patience.toNanos();
            Path kill = pids.resolve("cgroup.kill");
            boolean kernelKills = version == Version.V2 && Files.exists(kill);
            while (true) {
                List<Long> members = members();
                if (members.isEmpty()) {
                    return true;
                }
                if (kernelKills) {
                    try {
                        write(kill, "1");
                    } catch (IOException e) {
                        kernelKills = false;
                    }
                }
                if (!kernelKills) {
                    members.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                pause();
            }
        }

        /** The processes in this group, less this one (whose spawner thread is in it). */
        List<Long> members() {
            long self = ProcessHandle.current().pid();
            try {
                return Files.readAllLines(pids.resolve("cgroup.procs")).stream()
                        .filter(line -> !line.isBlank()).map(Long::parseLong).filter(pid -> pid != self).toList();
            } catch (NoSuchFileException e) {
                return List.of();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + pids.resolve("cgroup.procs") + ": " + e.getMessage(), e);
            }
        }

        /** Removes what is left of the group, if anything; for a group found unusable. */
        private void removeQuietly() {
            stopSpawner();
            for (Path dir : directories) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // not empty or already gone: nothing to do about it here
                }
            }
        }

        /** Ends the spawner thread, which takes it out of the group. */
        private void stopSpawner() {
            if (spawner != null) {
                spawner.shutdownNow();
                try {
                    spawner.awaitTermination(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                spawner = null;
            }
        }

        /** Kills what is left and removes the group; a group that will not empty is left, and that is said. */
        @Override
        public void close() throws IOException {
            if (!killAll(Duration.ofSeconds(2))) {
                throw new IOException("processes " + members() + " of " + pids + " did not die");
            }
            stopSpawner();
            IOException failure = null;
            for (Path dir : directories) {
                // an exiting process may hold the group a moment longer than it is listed in it
                long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                while (true) {
                    try {
                        Files.deleteIfExists(dir);
                        break;
                    } catch (IOException e) {
                        if (System.nanoTime() > deadline) {
                            failure = failure == null ? new IOException("cannot remove " + dir + ": " + e, e) : failure;
                            break;
                        }
                        pause();
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** The calling thread's id as the kernel knows it: /proc/thread-self is /proc/&lt;pid&gt;/task/&lt;tid&gt;. */
    private static String threadId() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    /**
     * Whether the kernel ({@code os.version}, e.g. {@code 6.1.0-18-amd64}) picks a memory group's out-of-memory
     * victim among its processes only (thread-group leaders), as Linux does since 5.3.
     */
    static boolean oomKillerSparesOtherThreads(String kernel) {
        Matcher version = KERNEL_VERSION.matcher(kernel == null ? "" : kernel);
        if (!version.matches()) {
            return false;
        }
        int major = Integer.parseInt(version.group(1));
        int minor = Integer.parseInt(version.group(2));
        return major > 5 || major == 5 && minor >= 3;
    }

    static List<Mount> parseMountInfo(List<String> lines) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            // id parent major:minor root mount-point options [optional fields...] - type source super-options
            String[] fields = line.split(" ");
            int separator = Arrays.asList(fields).indexOf("-");
            if (fields.length < 5 || separator < 0 || separator + 3 >= fields.length) {
                continue;
            }
            mounts.add(new Mount(Path.of(unescape(fields[4])), unescape(fields[3]), fields[separator + 1],
                    Set.of(fields[separator + 3].split(","))));
        }
        return mounts;
    }

    static List<Membership> parseMemberships(List<String> lines) {
        List<Membership> memberships = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split(":", 3);
            if (fields.length == 3) {
                Set<String> controllers = fields[1].isEmpty() ? Set.of() : Set.of(fields[1].split(","));
                memberships.add(new Membership(controllers, fields[2]));
            }
        }
        return memberships;
    }

    /** Where {@code path}, a group as /proc/self/cgroup names it, is under {@code mount}; empty if not mounted. */
    static Optional<Path> locate(Mount mount, String path) {
        String root = mount.root();
        String relative;
        if (root.equals("/")) {
            relative = path;
        } else if (path.equals(root) || path.startsWith(root + "/")) {
            relative = path.substring(root.length());
        } else {
            return Optional.empty();
        }
        Path dir = mount.mountPoint();
        for (String part : relative.split("/")) {
            if (!part.isEmpty()) {
                dir = dir.resolve(part);
            }
        }
        return Optional.of(dir);
    }

    /** This process's group in the cgroup v2 hierarchy, where one is mounted. */
    static Optional<Path> unifiedDirectory(List<Mount> mounts, List<Membership> memberships) {
        return memberships.stream().filter(m -> m.controllers().isEmpty()).findFirst()
                .flatMap(own -> mounts.stream().filter(m -> m.type().equals("cgroup2"))
                        .flatMap(mount -> locate(mount, own.path()).stream())
                        .filter(Files::isDirectory)
                        .findFirst());
    }

    /** This process's group in the cgroup v1 hierarchy of {@code controller}, where one is mounted. */
    static Optional<Path> v1Directory(List<Mount> mounts, List<Membership> memberships, String controller) {
        return memberships.stream().filter(m -> m.controllers().contains(controller)).findFirst()
                .flatMap(own -> mounts.stream()
                        .filter(m -> m.type().equals("cgroup") && m.superOptions().contains(controller))
                        .flatMap(mount -> locate(mount, own.path()).stream())
                        .filter(Files::isDirectory)
                        .findFirst());
    }

    /** v2 controllers this group may hand to its children. */
    private static Set<String> available(Path dir) {
        return words(dir.resolve("cgroup.controllers"));
    }

    private static Set<String> enabled(Path dir) {
        return words(dir.resolve("cgroup.subtree_control"));
    }

    /**
     * Makes memory, pids (and cpu, if it can) available to the step groups under {@code own}; null when done, else
     * why not. The kernel refuses this while {@code own} itself holds processes (cgroup v2's "no internal processes"
     * rule), so it works where the server runs in a delegated group it does not share, e.g. under systemd with
     * {@code Delegate=yes} and the server in a leaf group of its own.
     */
    private static String delegate(Path own) {
        Set<String> enabled = enabled(own);
        for (String controller : List.of(MEMORY, PIDS, CPU)) {
            if (enabled.contains(controller) || !available(own).contains(controller)) {
                continue;
            }
            try {
                write(own.resolve("cgroup.subtree_control"), "+" + controller);
            } catch (IOException e) {
                if (!controller.equals(CPU)) {
                    return "cannot enable the " + controller + " controller for groups under " + own + " ("
                            + e.getMessage() + "); delegate a cgroup v2 subtree with memory and pids enabled to the server";
                }
            }
        }
        return null;
    }

    private static Set<String> words(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? Set.of() : Set.of(text.split("\\s+"));
        } catch (IOException e) {
            return Set.of();
        }
    }

    /** The number after {@code key} in a flat-keyed cgroup file such as memory.events; 0 when absent. */
    private static long counter(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length == 2 && fields[0].equals(key)) {
                    return Long.parseLong(fields[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
    }

    private static void writeIfPresent(Path file, String value) {
        try {
            write(file, value);
        } catch (IOException e) {
            // absent without swap accounting; nothing to limit then
        }
    }

    /** mountinfo writes space, tab, newline and backslash in paths as octal escapes. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A short wait that cleanup of a cancelled step also gets: an interruption is kept for the caller. */
    private static void pause() {
        boolean interrupted = Thread.interrupted();
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
