package dev.gantry.plugins.builder.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.build.Builder;
import dev.gantry.plugin.api.build.LogSink;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import dev.gantry.plugins.builder.sandbox.Cgroups.StepCgroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs build steps in bubblewrap sandboxes: the host's /usr read-only, a minimal /etc, the step's workspace writable
 * at /workspace, its mounts, exactly its environment, no network unless the step is a dependency fetch, as an
 * unprivileged user, with memory, process and CPU limits. See {@link SandboxCommand} for the isolation itself.
 *
 * <p>Settings ({@code plugin.builder-sandbox.*}): {@code bwrap}, the bwrap executable (default: {@code bwrap} on the
 * server's PATH); {@code uid}, the user and group id steps run as (default 65534, best a uid no other service
 * uses). A root server makes each step's workspace and writable mounts that user's before the step (a checkout the
 * server wrote as root would be read-only to the step otherwise), and read-only mounts must be readable by it. A
 * server that is not root runs steps as its own user, which the sandbox shows as {@code uid}.
 *
 * <p>Limits are set through a cgroup per step where the server may create cgroups (v2, or v1 memory and pids), and
 * else as rlimits (memory written and processes, no CPU limit); which one is logged once. Nothing here fails
 * while bwrap is missing: the plugin is installed everywhere, and {@link #run} says what to install.
 */
@Extension
public final class SandboxBuilder implements Builder {
    private static final Logger log = LoggerFactory.getLogger(SandboxBuilder.class);
    private static final Set<String> KEYS = Set.of("bwrap", "uid");
    static final int DEFAULT_UID = 65534;
    /** How long cleanup may take after a kill before the run gives up waiting; processes die within milliseconds. */
    private static final Duration KILL_PATIENCE = Duration.ofSeconds(2);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private final String bwrapSetting;
    private final int uid;
    private final Workspace workspace;
    private final boolean cgroups;
    private final Object detecting = new Object();
    private volatile SandboxHost host;
    /**
     * Sandboxes started ahead ({@link #prepare}), each waiting for a step in its workspace, by the workspace's file
     * key (device and inode): the directory may be moved before its build begins, and while a sandbox binds it, its
     * inode cannot be freed and reused by another directory.
     */
    private final Map<Object, CompletableFuture<Waiting>> waiting = new ConcurrentHashMap<>();
    /** Starts and stops the waiting sandboxes, off the builds' threads. */
    private final ExecutorService preparing = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "sandbox-prepare");
        thread.setDaemon(true);
        return thread;
    });
    /** The limits of the latest step: a waiting sandbox is started with them, since /tmp's size is set at start. */
    private volatile StepSpec.ResourceLimits recentLimits = StepSpec.ResourceLimits.DEFAULT;
    private final AtomicLong stepsStartedAhead = new AtomicLong();

    /** A sandbox started ahead for the steps in a workspace, its shell waiting for a step's script. */
    private record Waiting(Process process, Optional<StepCgroup> cgroup, StepSpec.ResourceLimits limits) {
    }

    public SandboxBuilder(PluginConfig config, Workspace workspace) {
        this(config, workspace, true);
    }

    /** {@code cgroups} false sets limits as rlimits even where cgroups could be used, as on hosts without them. */
    SandboxBuilder(PluginConfig config, Workspace workspace, boolean cgroups) {
        requireNonNull(config, "config is null");
        this.cgroups = cgroups;
        this.workspace = requireNonNull(workspace, "workspace is null");
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown settings " + unknown.stream()
                    .map(key -> "plugin.builder-sandbox." + key).toList() + "; known: " + new TreeSet<>(KEYS));
        }
        this.bwrapSetting = config.get("bwrap").map(String::strip).filter(value -> !value.isEmpty()).orElse("bwrap");
        this.uid = config.get("uid").map(SandboxBuilder::parseUid).orElse(DEFAULT_UID);
    }

    @Override
    public String kind() {
        return "sandbox";
    }

    @Override
    public StepResult run(StepSpec step, LogSink sink) throws IOException {
        requireNonNull(step, "step is null");
        requireNonNull(sink, "sink is null");
        check(step);
        SandboxHost host = hostWithEtc();
        recentLimits = step.limits();
        if (host.privileged()) {
            giveTo(host.uid(), step.workspace());
            for (StepSpec.Mount mount : step.mounts()) {
                if (mount.writable()) {
                    giveTo(host.uid(), mount.source());
                }
            }
        }
        Optional<Waiting> ready = takeWaiting(step);
        Optional<StepCgroup> cgroup = ready.isPresent() ? ready.get().cgroup() : Optional.empty();
        if (ready.isEmpty() && host.cgroups().isPresent()) {
            cgroup = Optional.of(host.cgroups().get().acquire(step.limits()));
        }
        try {
            Process process;
            if (ready.isPresent()) {
                process = ready.get().process();
                try (OutputStream script = process.getOutputStream()) {
                    cgroup.ifPresent(StepCgroup::countFromNow);
                    stepsStartedAhead.incrementAndGet();
                    script.write(SandboxCommand.script(step, cgroup.isEmpty()));
                } catch (IOException e) {
                    // the sandbox ended while it waited: its exit status and output say why
                } catch (RuntimeException e) {
                    kill(process, cgroup); // the waiting shell must not outlive the step it was for
                    throw e;
                }
            } else {
                process = start(SandboxCommand.launch(host, step, cgroup.map(StepCgroup::launcherJoins).orElse(List.of()),
                        cgroup.isEmpty()), cgroup);
            }
            return execute(step, process, cgroup, sink);
        } finally {
            cgroup.ifPresent(group -> release(host, group, step.name()));
        }
    }

    /**
     * Starts a sandbox for the steps in {@code workspace} that waits for the first one's command, so that its start
     * (bwrap's namespaces and mounts, dropping privileges: 10-20 ms) is not on the way from the checkout to the step.
     * A step that needs what it was not started with (network, mounts, other limits, an environment variable that
     * is not a shell identifier) gets a sandbox of its own as usual. Without bwrap nothing is started here: the
     * step then says what to install.
     */
    @Override
    public Prepared prepare(Path workspace) {
        return prepare(workspace, recentLimits);
    }

    /** {@link #prepare(Path)} for steps with {@code limits}. */
    Prepared prepare(Path workspace, StepSpec.ResourceLimits limits) {
        requireNonNull(workspace, "workspace is null");
        Object key;
        try {
            key = fileKey(workspace);
        } catch (IOException e) {
            return Prepared.NOTHING; // the step will say what is wrong with its workspace
        }
        if (key == null) {
            return Prepared.NOTHING; // a file system without inodes: nothing identifies the directory once moved
        }
        Path bound = workspace.toAbsolutePath().normalize();
        CompletableFuture<Waiting> starting = CompletableFuture.supplyAsync(() -> startWaiting(bound, limits), preparing);
        CompletableFuture<Waiting> earlier = waiting.put(key, starting);
        if (earlier != null) {
            earlier.thenAcceptAsync(this::discard, preparing);
        }
        return () -> {
            if (waiting.remove(key, starting)) {
                starting.thenAcceptAsync(this::discard, preparing);
            }
        };
    }

    private Waiting startWaiting(Path workspace, StepSpec.ResourceLimits limits) {
        Optional<StepCgroup> cgroup = Optional.empty();
        SandboxHost found = null;
        try {
            found = hostWithEtc();
            if (found.cgroups().isPresent()) {
                cgroup = Optional.of(found.cgroups().get().acquire(limits));
            }
            ProcessBuilder builder = new ProcessBuilder(SandboxCommand.waiting(found, workspace, limits,
                    cgroup.map(StepCgroup::launcherJoins).orElse(List.of()))).redirectErrorStream(true);
            builder.environment().clear();
            Process process = cgroup.isPresent() ? cgroup.get().start(builder) : builder.start();
            awaitReady(process);
            return new Waiting(process, cgroup, limits);
        } catch (IOException | RuntimeException e) {
            log.debug("No sandbox started ahead for {}: {}", workspace, e.toString());
            SandboxHost known = found;
            cgroup.ifPresent(group -> release(known, group, "waiting"));
            throw new CompletionException(e);
        }
    }

    /** The sandbox started ahead for this step's workspace, if there is one and it can run the step; taken once. */
    private Optional<Waiting> takeWaiting(StepSpec step) {
        CompletableFuture<Waiting> starting;
        try {
            starting = waiting.remove(fileKey(step.workspace()));
        } catch (IOException e) {
            return Optional.empty();
        }
        if (starting == null) {
            return Optional.empty();
        }
        Waiting sandbox;
        try {
            sandbox = starting.get(PROBE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            starting.thenAcceptAsync(this::discard, preparing);
            return Optional.empty();
        }
        if (!SandboxCommand.fitsWaiting(step, sandbox.limits()) || !sandbox.process().isAlive()) {
            preparing.execute(() -> discard(sandbox));
            return Optional.empty();
        }
        return Optional.of(sandbox);
    }

    /**
     * Waits for a waiting sandbox's first line, which says it is set up; reads nothing after it, which is the step's
     * output. A sandbox that could not be set up (its workspace was moved before bwrap bound it, say) is stopped.
     */
    private static void awaitReady(Process process) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        InputStream output = process.getInputStream();
        int next;
        while ((next = output.read()) != '\n' && next != -1 && line.size() <= 4096) {
            line.write(next);
        }
        String said = line.toString(StandardCharsets.UTF_8);
        if (next != '\n' || !said.equals(SandboxCommand.READY)) {
            process.destroyForcibly();
            throw new IOException("the sandbox could not be set up: " + said.strip());
        }
    }

    private static Object fileKey(Path directory) throws IOException {
        return Files.readAttributes(directory, BasicFileAttributes.class).fileKey();
    }

    /** Stops a sandbox that no step used. */
    private void discard(Waiting sandbox) {
        kill(sandbox.process(), sandbox.cgroup());
        awaitExit(sandbox.process());
        sandbox.cgroup().ifPresent(group -> release(host, group, "waiting"));
    }

    private static void release(SandboxHost host, StepCgroup group, String step) {
        try {
            host.cgroups().orElseThrow().release(group);
        } catch (IOException e) {
            log.warn("step '{}': {}", step, e.getMessage());
        }
    }

    private StepResult execute(StepSpec step, Process process, Optional<StepCgroup> cgroup, LogSink sink) {
        long started = System.nanoTime();
        AtomicBoolean delivering = new AtomicBoolean(true);
        Thread reader = new Thread(() -> deliver(process.getInputStream(), sink, delivering, step.name()),
                "sandbox-output-" + step.name());
        reader.setDaemon(true);
        reader.start();

        Optional<String> reason = Optional.empty();
        boolean interrupted = false;
        try {
            if (!process.waitFor(step.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                reason = Optional.of("timed out after " + format(step.timeout()));
            }
        } catch (InterruptedException e) {
            interrupted = true;
            reason = Optional.of("cancelled");
        }
        if (reason.isPresent()) {
            kill(process, cgroup);
        }
        interrupted |= awaitExit(process);
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        // the pid namespace is gone with bwrap; the cgroup sweep is for anything that might have slipped out of it
        cgroup.ifPresent(group -> group.killAll(KILL_PATIENCE));
        interrupted |= join(reader, step.name());
        delivering.set(false);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (reason.isPresent()) {
            return new StepResult(-1, duration, reason);
        }
        int exitCode = process.exitValue();
        return new StepResult(exitCode, duration, exitCode == 0 ? Optional.empty() : whyFailed(exitCode, step, cgroup));
    }

    /** What the limits say about a step that failed, if they had a part in it. */
    private static Optional<String> whyFailed(int exitCode, StepSpec step, Optional<StepCgroup> cgroup) {
        if (cgroup.isPresent() && cgroup.get().outOfMemory()) {
            return Optional.of("out of memory: killed at the memory limit of " + bytes(step.limits().memoryBytes()));
        }
        if (cgroup.isPresent() && cgroup.get().reachedProcessLimit()) {
            return Optional.of("reached the limit of " + step.limits().maxProcesses() + " processes");
        }
        if (exitCode == 128 + 9) {
            // without a cgroup's count of OOM kills, a SIGKILL is the kernel's likeliest reason
            return Optional.of(cgroup.isPresent() ? "killed (SIGKILL)" : "killed (SIGKILL), possibly for running out "
                    + "of memory (limit " + bytes(step.limits().memoryBytes()) + ")");
        }
        return Optional.empty();
    }

    /**
     * Kills the sandbox: its processes (the first is its pid 1, whose death makes the kernel kill the whole pid
     * namespace), bwrap itself, and whatever is left in the step's cgroup.
     */
    private static void kill(Process process, Optional<StepCgroup> cgroup) {
        // listed before bwrap dies, since its children are re-parented then
        List<ProcessHandle> inside = process.descendants().toList();
        inside.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        cgroup.ifPresent(group -> group.killAll(KILL_PATIENCE));
    }

    /** Waits for bwrap to end, through interruptions (it was killed, or ends on its own); true if interrupted. */
    private static boolean awaitExit(Process process) {
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
                // a cancellation after the step's own end changes nothing but must not be lost
            }
        }
    }

    /**
     * Waits for the output to be read to its end, which comes once every process that could write to it is gone; the
     * bound only guards against a log sink that never returns. True if interrupted meanwhile.
     */
    private static boolean join(Thread reader, String step) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (reader.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                log.warn("step '{}': its output is still being read a minute after it ended; no longer waiting", step);
                break;
            }
            try {
                reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    private static void deliver(InputStream output, LogSink sink, AtomicBoolean delivering, String step) {
        AtomicBoolean failed = new AtomicBoolean();
        LineSplitter lines = new LineSplitter(line -> {
            if (!delivering.get()) {
                return;
            }
            try {
                sink.line(line);
            } catch (RuntimeException e) {
                // the step goes on and its output is still drained; one warning, not one per line
                if (failed.compareAndSet(false, true)) {
                    log.warn("step '{}': the log sink failed, lines are lost: {}", step, e.toString(), e);
                }
            }
        });
        try (output) {
            lines.pump(output);
        } catch (IOException e) {
            log.warn("step '{}': reading its output failed: {}", step, e.getMessage());
        }
    }

    /** The host facts, with the sandboxes' /etc written again if something removed part of it. */
    private SandboxHost hostWithEtc() throws IOException {
        SandboxHost found = host();
        if (!SandboxHost.etcComplete(found.etc())) {
            SandboxHost.writeEtc(found.etc(), found.uid());
        }
        return found;
    }

    /** The host facts, found on first use; a failure is not kept, so installing bwrap later is enough. */
    private SandboxHost host() throws IOException {
        SandboxHost found = host;
        if (found != null) {
            return found;
        }
        synchronized (detecting) {
            if (host == null) {
                host = detect();
            }
            return host;
        }
    }

    private SandboxHost detect() throws IOException {
        Path bwrap = findBwrap(bwrapSetting);
        boolean privileged = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        Path etc = workspace.root().resolve("etc");
        SandboxHost.writeEtc(etc, uid);
        Cgroups.Detection detection = cgroups ? Cgroups.detect()
                : new Cgroups.Detection(Optional.empty(), "not to be used by this builder");
        if (detection.cgroups().isPresent()) {
            log.info("sandbox builds: limits are set through {}", detection.description());
        } else {
            log.info("sandbox builds: limits are set as rlimits (memory and processes, no CPU limit), since cgroups "
                    + "cannot be used: {}", detection.description());
        }
        SandboxHost found = new SandboxHost(bwrap, privileged, uid, etc,
                SandboxHost.toolchainArguments(Path.of("/")), detection.cgroups());
        probe(found);
        return found;
    }

    /**
     * Starts a sandbox (in its cgroup, if it has one), output and errors on one stream, and hands bwrap its options
     * through its pipe.
     */
    private static Process start(SandboxCommand.Launch launch, Optional<StepCgroup> cgroup) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(launch.commandLine()).redirectErrorStream(true);
        // nothing of the server's environment reaches bwrap, let alone the step (which --clearenv also ensures)
        builder.environment().clear();
        Process process = cgroup.isPresent() ? cgroup.get().start(builder) : builder.start();
        try (OutputStream options = process.getOutputStream()) {
            options.write(launch.options());
        } catch (IOException e) {
            // the launcher ended before reading them (it could not join a cgroup): its exit status and output say why
        }
        return process;
    }

    /** Runs an empty sandbox once, so a host where bwrap cannot work is reported with bwrap's own words. */
    private void probe(SandboxHost host) throws IOException {
        Path probe = Files.createDirectories(workspace.root().resolve("probe"));
        if (host.privileged()) {
            giveTo(host.uid(), probe);
        }
        StepSpec step = new StepSpec("probe", List.of("true"), probe, Map.of(), List.of(), PROBE_TIMEOUT, false,
                Optional.empty(), StepSpec.ResourceLimits.DEFAULT);
        Process process = start(SandboxCommand.launch(host, step, List.of(), true), Optional.empty());
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(output);
            if (!process.waitFor(PROBE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("bubblewrap (" + host.bwrap() + ") did not run an empty sandbox within "
                        + format(PROBE_TIMEOUT));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking that bubblewrap works", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("bubblewrap (" + host.bwrap() + ") cannot create a sandbox here: "
                    + output.toString(StandardCharsets.UTF_8).strip()
                    + (host.privileged() ? "" : " (unprivileged sandboxes need user namespaces: "
                    + "sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)"));
        }
    }

    /** The bwrap executable: a path as given, or a name looked up on the server's PATH. */
    static Path findBwrap(String setting) throws IOException {
        if (setting.contains("/")) {
            Path path = Path.of(setting);
            if (Files.isRegularFile(path) && Files.isExecutable(path)) {
                return path.toAbsolutePath();
            }
            throw new IOException("bubblewrap (bwrap) is not installed at " + setting
                    + " (plugin.builder-sandbox.bwrap): apt-get install bubblewrap, or set the path of bwrap");
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(setting);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IOException("bubblewrap (bwrap) is not installed: apt-get install bubblewrap (or set "
                + "plugin.builder-sandbox.bwrap to the path of " + setting + "; not found on PATH " + path + ")");
    }

    /** Refuses what bwrap would fail on later with a less helpful message. */
    private static void check(StepSpec step) throws IOException {
        if (step.timeout().isNegative() || step.timeout().isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + step.timeout());
        }
        for (Map.Entry<String, String> variable : step.environment().entrySet()) {
            String name = variable.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0
                    || variable.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("not a valid environment variable: " + name);
            }
        }
        if (!Files.isDirectory(step.workspace())) {
            throw new IOException("the workspace " + step.workspace() + " is not a directory");
        }
        for (StepSpec.Mount mount : step.mounts()) {
            String target = mount.target();
            if (!Path.of(target).normalize().toString().equals(target) || target.equals("/")
                    || target.equals(StepSpec.WORKSPACE)) {
                throw new IllegalArgumentException("mount target must be a normalized absolute path other than / and "
                        + StepSpec.WORKSPACE + ": " + target);
            }
            if (!Files.exists(mount.source())) {
                throw new IOException("the source of mount " + mount.target() + " does not exist: " + mount.source());
            }
        }
    }

    /**
     * Makes a tree the step user's, so the step can write to it. Links are changed, never followed: a link a step
     * left behind must not hand the target (say /etc/shadow) to that user. Files that are already the user's are
     * only looked at.
     */
    static void giveTo(int uid, Path root) throws IOException {
        // the walk starts at the real directory: a workspace given through a link is still walked, not just the link
        Files.walkFileTree(root.toRealPath(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                own(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                own(file);
                return FileVisitResult.CONTINUE;
            }

            private void own(Path path) throws IOException {
                Map<String, Object> owner = Files.readAttributes(path, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
                if ((Integer) owner.get("uid") != uid) {
                    Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                }
                if ((Integer) owner.get("gid") != uid) {
                    Files.setAttribute(path, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
                }
            }
        });
    }

    private static int parseUid(String value) {
        try {
            int uid = Integer.parseInt(value.strip());
            if (uid > 0) {
                return uid;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("plugin.builder-sandbox.uid must be a user id above 0, not '" + value + "'");
    }

    /** A duration as people write it: 5m, 1h30m, 2.5s. */
    static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        if (duration.toHours() > 0) {
            text.append(duration.toHours()).append('h');
        }
        if (duration.toMinutesPart() > 0) {
            text.append(duration.toMinutesPart()).append('m');
        }
        int millis = duration.toMillisPart();
        if (duration.toSecondsPart() > 0 || (millis > 0 && text.length() > 0)) {
            text.append(duration.toSecondsPart());
            if (millis > 0) {
                text.append('.').append(String.format("%03d", millis).replaceAll("0+$", ""));
            }
            text.append('s');
        } else if (millis > 0) {
            text.append(millis).append("ms");
        }
        return text.toString();
    }

    static String bytes(long bytes) {
        long mib = 1024 * 1024;
        if (bytes % (1024 * mib) == 0) {
            return bytes / (1024 * mib) + " GiB";
        }
        if (bytes % mib == 0) {
            return bytes / mib + " MiB";
        }
        return bytes + " bytes";
    }

    /** Whether a sandbox started ahead for {@code workspace} is set up and waits for a step; for tests. */
    boolean readyFor(Path workspace) throws IOException {
        CompletableFuture<Waiting> starting = waiting.get(fileKey(workspace));
        return starting != null && starting.isDone() && !starting.isCompletedExceptionally();
    }

    /** How many steps ran in a sandbox started ahead; for tests. */
    long stepsStartedAhead() {
        return stepsStartedAhead.get();
    }

    /** How limits are enforced on this host; for tests. */
    Optional<Cgroups.Version> cgroupVersion() throws IOException {
        return host().cgroups().map(Cgroups::version);
    }
}
