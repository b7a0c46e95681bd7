package dev.gantry.plugins.builder.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.build.LogSink;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import dev.gantry.plugin.api.build.StepSpec.Mount;
import dev.gantry.plugin.api.build.StepSpec.ResourceLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real bubblewrap sandboxes on this machine: nothing is mocked. */
class TestSandboxBuilder {
    private static final Duration GENEROUS = Duration.ofSeconds(60);

    @TempDir
    Path pluginWorkspace;
    @TempDir
    Path workspace;

    SandboxBuilder builder;

    @BeforeEach
    void createBuilder() {
        builder = newBuilder(new TestWorkspace(pluginWorkspace));
    }

    /** The builder under test, with the limits this host supports. */
    SandboxBuilder newBuilder(Workspace pluginWorkspace) {
        return new SandboxBuilder(new PluginConfig(Map.of()), pluginWorkspace);
    }

    /** Runs a step as the build does; a subclass starts its sandbox ahead first. */
    StepResult run(StepSpec step, LogSink sink) throws IOException {
        return builder.run(step, sink);
    }

    @Test
    void reportsTheExitCodeAndOutputLinesInTheOrderTheyWereWritten() throws Exception {
        Lines lines = new Lines();

        StepResult result = run(step("sh", "-c", "echo one; echo two >&2; echo three; exit 3"), lines);

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.failureReason()).isEmpty();
        assertThat(result.succeeded()).isFalse();
        assertThat(lines.all()).containsExactly("one", "two", "three");
        assertThat(run(step("true"), new Lines()).succeeded()).isTrue();
        assertThat(builder.kind()).isEqualTo("sandbox");
    }

    @Test
    void cannotReachTheNetworkUnlessTheStepMayUseIt() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String connect = "exec 3<>/dev/tcp/127.0.0.1/" + listener.getLocalPort() + " && echo connected";
            Lines isolated = new Lines();
            Lines shared = new Lines();

            StepResult offline = run(step("bash", "-c", connect), isolated);
            StepResult online = run(spec(List.of("bash", "-c", connect), Map.of(), List.of(), GENEROUS, true,
                    ResourceLimits.DEFAULT), shared);

            assertThat(offline.exitCode()).isNotZero();
            assertThat(isolated.all()).doesNotContain("connected").anyMatch(line -> line.contains("Connection refused"));
            // the same listener is reachable when the network is shared, so the refusal above is the isolation's
            assertThat(online.exitCode()).isZero();
            assertThat(shared.all()).containsExactly("connected");
        }
        Lines interfaces = new Lines();
        run(step("sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"), interfaces);
        assertThat(interfaces.all()).containsExactly("lo");
    }

    @Test
    void seesTheToolchainAndItsWorkspaceButNothingElseOfTheHost(@TempDir Path elsewhere) throws Exception {
        Path secret = Files.writeString(elsewhere.resolve("secret.txt"), "not for builds");
        List<String> hidden = List.of(secret.toString(), elsewhere.toString(), pluginWorkspace.toString(), "/root",
                "/home", "/var", "/work", "/opt", "/srv", "/mnt", "/etc/shadow", "/etc/ssl", "/etc/resolv.conf",
                "/sys/fs/cgroup");
        Lines lines = new Lines();

        List<String> command = new ArrayList<>(List.of("sh", "-c", "for p in \"$@\"; do if [ -e \"$p\" ]; then "
                + "echo \"visible $p\"; fi; done; ls /; ls /etc", "sh"));
        command.addAll(hidden);

        StepResult result = run(spec(command, Map.of(), List.of(), GENEROUS, false, ResourceLimits.DEFAULT), lines);

        assertThat(result.exitCode()).isZero();
        assertThat(lines.all()).noneMatch(line -> line.startsWith("visible"));
        assertThat(lines.all()).contains("usr", "bin", "lib", "etc", "proc", "dev", "tmp", "workspace", "passwd",
                "group", "hosts", "ld.so.cache");
        assertThat(lines.all()).doesNotContain("root", "home", "var", "shadow", "gshadow", "sudoers");
    }

    @Test
    void theHostToolchainIsReadOnly() throws Exception {
        Lines lines = new Lines();

        StepResult result = run(step("sh", "-c", "touch /usr/gantry-was-here; touch /etc/gantry-was-here; "
                + "ls /usr/bin/sh >/dev/null && echo toolchain present"), lines);

        assertThat(result.exitCode()).isZero();
        assertThat(lines.all()).contains("toolchain present");
        assertThat(lines.all()).filteredOn(line -> line.contains("gantry-was-here"))
                .hasSize(2).allMatch(line -> line.contains("Read-only file system"));
        assertThat(Path.of("/usr/gantry-was-here")).doesNotExist();
    }

    @Test
    void runsAsTheUnprivilegedUserAndItsWritesLandInTheWorkspaceOnTheHost() throws Exception {
        Files.createDirectories(workspace.resolve("src"));
        Files.writeString(workspace.resolve("src/existing.txt"), "checked out\n");
        Lines lines = new Lines();

        StepResult result = run(step("sh", "-c", "id -u; id -g; id -un; grep CapEff /proc/self/status; pwd; "
                + "echo built > /workspace/out.txt && echo appended >> src/existing.txt && mkdir target && "
                + "touch /tmp/scratch /dev/shm/scratch $HOME/.cache && echo scratch space"), lines);

        assertThat(result.exitCode()).as("%s", lines.all()).isZero();
        assertThat(lines.all()).containsExactly("65534", "65534", "build", "CapEff:\t0000000000000000", "/workspace",
                "scratch space");
        assertThat(workspace.resolve("out.txt")).hasContent("built");
        assertThat(workspace.resolve("src/existing.txt")).hasContent("checked out\nappended");
        assertThat(workspace.resolve("target")).isDirectory();
        // the step really is that user on the host too, not root under another name
        assertThat(Files.getAttribute(workspace.resolve("out.txt"), "unix:uid")).isEqualTo(65534);
    }

    @Test
    void aReadOnlyMountCanBeReadButNotWrittenAndAWritableOneCanBeWritten(@TempDir Path mounts) throws Exception {
        Path dependencies = Files.createDirectory(mounts.resolve("deps"));
        Files.writeString(dependencies.resolve("lib.txt"), "a dependency");
        Path cache = Files.createDirectory(mounts.resolve("cache"));
        Lines lines = new Lines();

        StepResult result = run(spec(List.of("sh", "-c", "cat /opt/deps/lib.txt; echo; touch /opt/deps/new 2>&1; "
                        + "echo cached > /cache/entry && echo wrote cache"), Map.of(),
                List.of(new Mount(dependencies, "/opt/deps", false), new Mount(cache, "/cache", true)), GENEROUS, false,
                ResourceLimits.DEFAULT), lines);

        assertThat(result.exitCode()).as("%s", lines.all()).isZero();
        assertThat(lines.all()).contains("a dependency", "wrote cache");
        assertThat(lines.all()).anyMatch(line -> line.contains("/opt/deps/new") && line.contains("Read-only file system"));
        assertThat(dependencies.resolve("new")).doesNotExist();
        assertThat(cache.resolve("entry")).hasContent("cached");
    }

    @Test
    void theEnvironmentIsExactlyTheStepsOwnWithADefaultPathAndHomeAndTheWorkingDirectory() throws Exception {
        Lines defaults = new Lines();
        Lines given = new Lines();

        run(spec(List.of("env"), Map.of("GREETING", "hello world", "EMPTY", ""), List.of(), GENEROUS, false,
                ResourceLimits.DEFAULT), defaults);
        run(spec(List.of("env"), Map.of("PATH", "/usr/bin", "HOME", "/workspace"), List.of(), GENEROUS, false,
                ResourceLimits.DEFAULT), given);

        // PWD is bwrap's, naming the working directory as any shell would; nothing comes from the host
        assertThat(defaults.all()).containsExactlyInAnyOrder("GREETING=hello world", "EMPTY=",
                "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "PWD=/workspace");
        assertThat(given.all()).containsExactlyInAnyOrder("PATH=/usr/bin", "HOME=/workspace", "PWD=/workspace");
    }

    @Test
    void noProcessOnTheHostShowsTheStepsEnvironmentOnItsCommandLineAndItsInputIsEmpty() throws Exception {
        String marker = marker();
        String secret = "s3cret-" + marker();
        Lines lines = new Lines();
        List<String> commandLines = new ArrayList<>();
        Thread step = new Thread(() -> {
            try {
                run(spec(List.of("sh", "-c", "cat; echo \"read $? $TOKEN\"; sleep " + marker),
                        Map.of("TOKEN", secret), List.of(), Duration.ofSeconds(3), false, ResourceLimits.DEFAULT), lines);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        step.start();
        awaitRunning(marker);
        // what any user of the host can read: every process's /proc/PID/cmdline
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(path -> path.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    commandLines.add(Files.readString(process.resolve("cmdline"), StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        }
        step.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(lines.all()).containsExactly("read 0 " + secret);
        assertThat(commandLines).as("command lines of the host's processes").isNotEmpty()
                .noneMatch(line -> line.contains(secret));
        // the sandbox was among them: bwrap with its options from a pipe, or one started ahead, its options public
        assertThat(commandLines).anyMatch(line -> line.contains("bwrap\0--args\0") || line.contains("bwrap\0--die-with-parent\0"));
    }

    @Test
    void aStepThatRunsPastItsTimeoutIsKilled() throws Exception {
        String marker = marker();
        Lines lines = new Lines();
        long started = System.nanoTime();

        StepResult result = run(spec(List.of("sh", "-c", "echo going to sleep; sleep " + marker), Map.of(),
                List.of(), Duration.ofSeconds(1), false, ResourceLimits.DEFAULT), lines);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(result.failureReason()).contains("timed out after 1s");
        assertThat(lines.all()).containsExactly("going to sleep");
        assertThat(running(marker)).isEmpty();
    }

    @Test
    void interruptingTheCallingThreadCancelsTheStep() throws Exception {
        String marker = marker();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<StepResult> result = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                result.set(run(step("sh", "-c", "echo started; sleep " + marker), line -> started.countDown()));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        caller.start();
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(caller.isAlive()).isFalse();
        assertThat(result.get().exitCode()).isEqualTo(-1);
        assertThat(result.get().failureReason()).contains("cancelled");
        assertThat(stillInterrupted.get()).as("the interruption is kept for the caller").isTrue();
        assertThat(running(marker)).isEmpty();
    }

    @Test
    void daemonsTheStepStartedDoNotOutliveIt() throws Exception {
        String quiet = marker();
        String holdingTheOutput = marker();
        Lines lines = new Lines();

        StepResult result = run(step("sh", "-c", "setsid sleep " + quiet + " </dev/null >/dev/null 2>&1 & "
                + "setsid sh -c 'sleep " + holdingTheOutput + "' & echo forked"), lines);

        assertThat(result.exitCode()).isZero();
        assertThat(lines.all()).containsExactly("forked");
        assertThat(running(quiet)).isEmpty();
        assertThat(running(holdingTheOutput)).isEmpty();
    }

    @Test
    void aStepUsingMoreMemoryThanItsLimitIsKilledAndTheReasonSaysSo() throws Exception {
        ResourceLimits small = new ResourceLimits(100L * 1024 * 1024, 64, 1.0);
        Lines lines = new Lines();

        StepResult result = run(spec(List.of("sh", "-c", "head -c 600M /dev/zero | tail"), Map.of(), List.of(),
                GENEROUS, false, small), lines);

        assertThat(result.exitCode()).isNotZero();
        if (builder.cgroupVersion().isPresent()) {
            assertThat(result.failureReason()).hasValueSatisfying(reason ->
                    assertThat(reason).contains("out of memory").contains("100 MiB"));
        }
    }

    @Test
    void aForkBombIsHeldToTheProcessLimit() throws Exception {
        assertThat(Path.of("/usr/bin/python3")).as("python3 (scripts/test installs it) runs the fork loop").exists();
        String marker = marker();
        ResourceLimits twenty = new ResourceLimits(512L * 1024 * 1024, 20, 1.0);
        String bomb = String.join("\n",
                "import os, sys, time",
                "children = 0",
                "for _ in range(500):",
                "    try:",
                "        pid = os.fork()",
                "    except OSError:",
                "        break",
                "    if pid == 0:",
                "        os.execv('/usr/bin/sleep', ['sleep', sys.argv[1]])",
                "    children += 1",
                "print('children', children)");
        Lines lines = new Lines();

        StepResult result = run(spec(List.of("python3", "-c", bomb, marker), Map.of(), List.of(), GENEROUS, false,
                twenty), lines);

        assertThat(result.exitCode()).isZero();
        int children = Integer.parseInt(lines.all().get(lines.all().size() - 1).substring("children ".length()));
        assertThat(children).isLessThan(20);
        if (builder.cgroupVersion().isPresent()) {
            // an rlimit counts every process of the uid on the host, so only a cgroup promises the step its twenty
            assertThat(children).isPositive();
        }
        assertThat(running(marker)).isEmpty();
    }

    @Test
    void theStepsCgroupCarriesItsLimits() throws Exception {
        assertThat(builder.cgroupVersion()).as("this host kind has writable cgroup v1 controllers").contains(Cgroups.Version.V1);
        String marker = marker();
        ResourceLimits limits = new ResourceLimits(300L * 1024 * 1024, 40, 0.5);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<StepResult> result = CompletableFuture.supplyAsync(() -> {
            try {
                return run(spec(List.of("sh", "-c", "echo started; exec sleep " + marker), Map.of(), List.of(),
                        Duration.ofSeconds(5), false, limits), line -> started.countDown());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        long pid = awaitRunning(marker);

        Map<String, String> groups = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
                .map(line -> line.split(":", 3)).collect(Collectors.toMap(f -> f[1], f -> f[2], (a, b) -> a));
        String memory = groups.get("memory");
        assertThat(memory).contains("gantry-step-");
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory" + memory, "memory.limit_in_bytes")).strip())
                .isEqualTo(Long.toString(300L * 1024 * 1024));
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids" + groups.get("pids"), "pids.max")).strip())
                .as("bwrap's two processes and the spawner thread come on top")
                .isEqualTo(Integer.toString(40 + SandboxCommand.SANDBOX_PROCESSES + 1));
        if (groups.containsKey("cpu")) {
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/cpu" + groups.get("cpu"), "cpu.cfs_quota_us")).strip())
                    .isEqualTo("50000");
        }
        assertThat(result.get(30, TimeUnit.SECONDS).failureReason()).contains("timed out after 5s");
        // but this process: the thread that starts the group's sandboxes stays in it
        assertThat(Files.readAllLines(Path.of("/sys/fs/cgroup/memory" + memory, "cgroup.procs")))
                .as("nothing of the step left in its group").containsOnly(Long.toString(ProcessHandle.current().pid()));
    }

    @Test
    void theNextStepReusesTheEmptiedGroupWithItsOwnLimitsAndNoneOfTheEarlierStepsEvents() throws Exception {
        assertThat(builder.cgroupVersion()).as("this host kind has writable cgroup v1 controllers").contains(Cgroups.Version.V1);
        StepResult outOfMemory = run(spec(List.of("sh", "-c", "head -c 600M /dev/zero | tail"), Map.of(),
                List.of(), GENEROUS, false, new ResourceLimits(100L * 1024 * 1024, 64, 1.0)), new Lines());
        assertThat(outOfMemory.failureReason()).hasValueSatisfying(reason -> assertThat(reason).contains("out of memory"));
        Set<Path> groups = stepGroups();

        Lines lines = new Lines();
        StepResult failed = run(spec(List.of("sh", "-c", "head -c 150M /dev/zero | tail | wc -c; exit 3"), Map.of(),
                List.of(), GENEROUS, false, new ResourceLimits(400L * 1024 * 1024, 64, 1.0)), lines);

        assertThat(lines.all()).containsExactly("157286400");
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.failureReason()).as("the earlier step's OOM kill is not this one's").isEmpty();

        // and lowered again: the same 150 MiB no longer fit
        StepResult lowered = run(spec(List.of("sh", "-c", "head -c 150M /dev/zero | tail"), Map.of(),
                List.of(), GENEROUS, false, new ResourceLimits(100L * 1024 * 1024, 64, 1.0)), new Lines());
        assertThat(lowered.failureReason()).hasValueSatisfying(reason -> assertThat(reason).contains("out of memory"));
        assertThat(stepGroups()).as("no new group was made").isEqualTo(groups);
    }

    /** The step groups under this process's memory group. */
    private static Set<Path> stepGroups() throws IOException {
        String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().map(line -> line.split(":", 3))
                .filter(fields -> fields[1].equals("memory")).findFirst().orElseThrow()[2];
        try (Stream<Path> children = Files.list(Path.of("/sys/fs/cgroup/memory" + own))) {
            return children.filter(dir -> dir.getFileName().toString().startsWith(Cgroups.STEP_PREFIX))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void streamsAHundredMegabytesOfOutputLineByLine() throws Exception {
        String ninetyNine = "0123456789".repeat(10).substring(0, 99);
        long[] counted = new long[2];
        LogSink counting = line -> {
            counted[0]++;
            counted[1] += line.length();
        };

        StepResult result = run(step("sh", "-c", "yes " + ninetyNine + " | head -c 100000000"), counting);

        assertThat(result.exitCode()).isZero();
        assertThat(counted[0]).isEqualTo(1_000_000);
        assertThat(counted[1]).isEqualTo(99_000_000);
    }

    @Test
    void splitsEndlessLinesAndReplacesWhatIsNotUtf8() throws Exception {
        Lines lines = new Lines();

        run(step("sh", "-c", "head -c 200000 /dev/zero | tr '\\0' a; printf '\\n\\377ok\\r\\n\\303\\251t\\303\\251'"),
                lines);

        assertThat(lines.all()).extracting(String::length).containsExactly(65536, 65536, 65536, 3392, 3, 3);
        assertThat(lines.all().get(4)).isEqualTo("\uFFFDok");
        assertThat(lines.all().get(5)).isEqualTo("été");
    }

    @Test
    void runsManyStepsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<List<String>>> outputs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String name = "step" + i;
                Path own = Files.createDirectory(workspace.resolve(name));
                outputs.add(pool.submit(() -> {
                    Lines lines = new Lines();
                    StepResult result = run(spec(List.of("sh", "-c", "for i in $(seq 1 500); do echo $NAME $i; "
                                    + "done; echo $NAME > /workspace/name"), Map.of("NAME", name), List.of(), GENEROUS,
                            false, ResourceLimits.DEFAULT, own), lines);
                    assertThat(result.exitCode()).isZero();
                    assertThat(own.resolve("name")).hasContent(name);
                    return lines.all();
                }));
            }
            for (int i = 0; i < outputs.size(); i++) {
                String name = "step" + i + " ";
                assertThat(outputs.get(i).get(60, TimeUnit.SECONDS)).hasSize(500).allMatch(line -> line.startsWith(name));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMissingBwrapIsReportedWithWhatToInstall() {
        SandboxBuilder atPath = new SandboxBuilder(new PluginConfig(Map.of("bwrap", "/nonexistent/bin/bwrap")),
                new TestWorkspace(pluginWorkspace));
        SandboxBuilder onPath = new SandboxBuilder(new PluginConfig(Map.of("bwrap", "no-such-bwrap")),
                new TestWorkspace(pluginWorkspace));

        assertThatThrownBy(() -> atPath.run(step("true"), new Lines()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bubblewrap (bwrap) is not installed")
                .hasMessageContaining("apt-get install bubblewrap")
                .hasMessageContaining("/nonexistent/bin/bwrap");
        assertThatThrownBy(() -> onPath.run(step("true"), new Lines()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("apt-get install bubblewrap");
    }

    @Test
    void aBwrapThatCannotCreateASandboxIsReportedInItsOwnWords(@TempDir Path bin) throws Exception {
        Path failing = bin.resolve("bwrap");
        Files.writeString(failing, "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n");
        failing.toFile().setExecutable(true);
        SandboxBuilder broken = new SandboxBuilder(new PluginConfig(Map.of("bwrap", failing.toString())),
                new TestWorkspace(pluginWorkspace));

        assertThatThrownBy(() -> broken.run(step("true"), new Lines()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot create a sandbox")
                .hasMessageContaining("No permissions to creating new namespace");
    }

    @Test
    void refusesUnknownSettingsAndARootUid() {
        assertThatThrownBy(() -> new SandboxBuilder(new PluginConfig(Map.of("bwarp", "/usr/bin/bwrap")),
                new TestWorkspace(pluginWorkspace)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plugin.builder-sandbox.bwarp")
                .hasMessageContaining("[bwrap, uid]");
        assertThatThrownBy(() -> new SandboxBuilder(new PluginConfig(Map.of("uid", "0")), new TestWorkspace(pluginWorkspace)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plugin.builder-sandbox.uid");
    }

    @Test
    void mountsWithAMissingSourceOrAStrayTargetAreRefusedBeforeStarting() {
        StepSpec missing = spec(List.of("true"), Map.of(), List.of(new Mount(workspace.resolve("absent"), "/deps", false)),
                GENEROUS, false, ResourceLimits.DEFAULT);

        assertThatThrownBy(() -> run(missing, new Lines()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("/deps");
        for (String target : List.of("/", "/workspace", "/deps/../etc", "/deps/")) {
            StepSpec stray = spec(List.of("true"), Map.of(), List.of(new Mount(workspace, target, false)), GENEROUS,
                    false, ResourceLimits.DEFAULT);
            assertThatThrownBy(() -> run(stray, new Lines())).as(target)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(target);
        }
    }

    @Test
    void formatsDurationsAsPeopleWriteThem() {
        assertThat(SandboxBuilder.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(SandboxBuilder.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(SandboxBuilder.format(Duration.ofMillis(2500))).isEqualTo("2.5s");
        assertThat(SandboxBuilder.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(SandboxBuilder.format(Duration.ofHours(2).plusMinutes(1))).isEqualTo("2h1m");
    }

    private StepSpec step(String... command) {
        return spec(List.of(command), Map.of(), List.of(), GENEROUS, false, ResourceLimits.DEFAULT);
    }

    private StepSpec spec(List<String> command, Map<String, String> environment, List<Mount> mounts, Duration timeout,
            boolean network, ResourceLimits limits) {
        return spec(command, environment, mounts, timeout, network, limits, workspace);
    }

    private static StepSpec spec(List<String> command, Map<String, String> environment, List<Mount> mounts,
            Duration timeout, boolean network, ResourceLimits limits, Path workspace) {
        return new StepSpec("test", command, workspace, environment, mounts, timeout, network, Optional.empty(), limits);
    }

    /** A sleep length no other process on this machine uses, to find the step's processes by. */
    private static String marker() {
        return Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 900_000));
    }

    private static List<ProcessHandle> running(String marker) {
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().arguments().map(Arrays::asList).orElse(List.of()).contains(marker))
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    private static long awaitRunning(String marker) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            List<ProcessHandle> found = running(marker);
            if (!found.isEmpty()) {
                return found.get(0).pid();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no process with " + marker + " started");
    }

    /** Collects a step's lines; written by the builder's reader thread, read by the test. */
    static final class Lines implements LogSink {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void line(String line) {
            lines.add(line);
        }

        List<String> all() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }
    }

    record TestWorkspace(Path root) implements Workspace {
        @Override
        public Path newTempDirectory(String prefix) throws IOException {
            return Files.createTempDirectory(root, prefix);
        }
    }
}
