package dev.gantry.plugins.builder.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.build.LogSink;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import dev.gantry.plugin.api.build.StepSpec.ResourceLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real Docker engine of this machine and its local image {@code gantry/busybox:1} (a busybox rootfs
 * imported by the test script; nothing is pulled). Without a reachable engine every test fails: CI starts it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestDockerBuilder {
    static final String IMAGE = "gantry/busybox:1";
    private static final URI HOST = DockerBuilderConfig.DEFAULT_HOST;
    private static DockerClient docker;

    private DockerBuilder builder;
    @TempDir
    Path workspace;

    @BeforeAll
    static void engineAndImageArePresent() {
        docker = new DockerEngine(HOST).client();
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            fail("the Docker engine at " + HOST + " is not reachable (" + e + "); these tests need it:"
                    + " scripts/test starts dockerd and imports " + IMAGE);
        }
        try {
            docker.inspectImageCmd(IMAGE).exec();
        } catch (NotFoundException e) {
            fail("the image " + IMAGE + " is not on the Docker host; scripts/test imports it (start_docker)");
        }
    }

    @BeforeEach
    void newBuilder() {
        builder = new DockerBuilder(new PluginConfig(Map.of()), Clock.systemUTC());
    }

    @AfterEach
    void leavesNoContainerBehind() {
        assertThat(containersOf(builder)).as("containers left by builder %s", builder.instanceId()).isEmpty();
    }

    @AfterAll
    static void close() throws IOException {
        docker.close();
    }

    @Test
    void reportsTheExitCodeAndTheOutputOfBothStreams() throws IOException {
        Log log = new Log();

        StepResult result = builder.run(step("sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3").build(), log);

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.failureReason()).isEmpty();
        assertThat(result.succeeded()).isFalse();
        assertThat(log.lines()).containsExactlyInAnyOrder("to-stdout", "to-stderr");
    }

    @Test
    void aStepThatExitsZeroSucceeds() throws IOException {
        StepResult result = builder.run(step("true").build(), new Log());

        assertThat(result.succeeded()).isTrue();
        assertThat(result.duration()).isPositive();
    }

    @Test
    void interleavesStdoutAndStderrInTheOrderTheyWerePrinted() throws IOException {
        Log log = new Log();

        builder.run(step("sh", "-c", "echo one; sleep 0.3; echo two >&2; sleep 0.3; echo three; sleep 0.3; printf 'four'")
                .build(), log);

        assertThat(log.lines()).containsExactly("one", "two", "three", "four");
    }

    @Test
    void streamsOutputWhileTheStepStillRuns() throws IOException {
        // the step waits for a file that the log creates on seeing its first line: a builder that delivered output
        // only at the end would let the step time out instead
        Log log = new Log(line -> {
            if (line.equals("waiting for the log")) {
                touch(workspace.resolve("seen"));
            }
        });

        StepResult result = builder.run(step("sh", "-c",
                "echo 'waiting for the log'; while [ ! -e seen ]; do sleep 0.1; done; echo 'the log saw it'")
                .timeout(Duration.ofSeconds(30)).build(), log);

        assertThat(result.succeeded()).as("%s %s", result, log.lines()).isTrue();
        assertThat(log.lines()).containsExactly("waiting for the log", "the log saw it");
    }

    @Test
    void withoutNetworkTheStepReachesNeitherTheHostsLoopbackNorTheBridgeGateway() throws Exception {
        InetAddress gateway = bridgeGateway();
        try (Listener onLoopback = new Listener(InetAddress.getLoopbackAddress());
                Listener onGateway = new Listener(gateway)) {
            Log log = new Log();
            String probe = "nc -w 2 127.0.0.1 " + onLoopback.port() + " </dev/null; echo loopback=$?; "
                    + "nc -w 2 " + gateway.getHostAddress() + " " + onGateway.port() + " </dev/null; echo gateway=$?; "
                    + "cat /proc/net/dev";

            StepResult result = builder.run(step("sh", "-c", probe).build(), log);

            assertThat(result.succeeded()).isTrue();
            assertThat(log.lines()).contains("loopback=1", "gateway=1")
                    .anyMatch(line -> line.contains("Network is unreachable"));
            assertThat(log.lines()).filteredOn(line -> line.matches("\\s*\\w+:\\s+\\d+.*")).extracting(String::strip)
                    .as("network interfaces").isNotEmpty().allMatch(line -> line.startsWith("lo:"));
            assertThat(onLoopback.accepted()).isZero();
            assertThat(onGateway.accepted()).isZero();
        }
    }

    @Test
    void withNetworkTheSameProbeReachesTheBridgeGateway() throws Exception {
        // proves the probe above can fail: given a network, it connects
        InetAddress gateway = bridgeGateway();
        try (Listener onGateway = new Listener(gateway)) {
            Log log = new Log();

            StepResult result = builder.run(step("sh", "-c",
                    "nc -w 2 " + gateway.getHostAddress() + " " + onGateway.port() + " </dev/null; echo gateway=$?")
                    .network(true).build(), log);

            assertThat(result.succeeded()).isTrue();
            assertThat(log.lines()).contains("gateway=0");
            assertThat(onGateway.accepted()).isEqualTo(1);
        }
    }

    @Test
    void theRootFilesystemIsReadOnlyAndTmpIsWritable() throws IOException {
        Log log = new Log();

        builder.run(step("sh", "-c", "touch /bin/intruder || echo root-read-only; "
                + "echo scratch > /tmp/scratch && cat /tmp/scratch; echo home=$HOME").build(), log);

        assertThat(log.lines()).contains("root-read-only", "scratch", "home=/tmp")
                .anyMatch(line -> line.contains("Read-only file system"));
    }

    @Test
    void theWorkspaceIsTheWritableWorkingDirectoryAndItsFilesAppearOnTheHost() throws IOException {
        Files.writeString(workspace.resolve("input.txt"), "from the host\n");
        Files.createDirectories(workspace.resolve("src/main"));
        Log log = new Log();

        StepResult result = builder.run(step("sh", "-c",
                "pwd; id -u; cat input.txt; echo built > output.txt; echo more > src/main/generated.txt").build(), log);

        assertThat(result.succeeded()).as("%s", log.lines()).isTrue();
        assertThat(log.lines()).startsWith(StepSpec.WORKSPACE).contains("from the host");
        assertThat(Files.readString(workspace.resolve("output.txt"))).isEqualTo("built\n");
        assertThat(Files.readString(workspace.resolve("src/main/generated.txt"))).isEqualTo("more\n");
        if (isRoot()) {
            assertThat(log.lines()).contains("65534");
        }
    }

    @Test
    void readOnlyMountsCannotBeWrittenAndWritableOnesCan(@TempDir Path dependencies, @TempDir Path cache)
            throws IOException {
        Files.writeString(dependencies.resolve("lib.txt"), "a dependency\n");
        // read-only mounts are left as they are: like a dependency cache, readable by anyone
        Files.setPosixFilePermissions(dependencies, PosixFilePermissions.fromString("rwxr-xr-x"));
        Log log = new Log();

        StepResult result = builder.run(step("sh", "-c", "cat /deps/lib.txt; "
                + "touch /deps/intruder || echo deps-read-only; echo cached > /cache/entry && echo cache-written")
                .mounts(List.of(new StepSpec.Mount(dependencies, "/deps", false), new StepSpec.Mount(cache, "/cache", true)))
                .build(), log);

        assertThat(result.succeeded()).isTrue();
        assertThat(log.lines()).contains("a dependency", "deps-read-only", "cache-written");
        assertThat(dependencies.resolve("intruder")).doesNotExist();
        assertThat(Files.readString(cache.resolve("entry"))).isEqualTo("cached\n");
    }

    @Test
    void theEnvironmentIsTheStepsOwnPlusPathHomeAndTheContainersHostName() throws IOException {
        Log log = new Log();

        builder.run(step("env").environment(Map.of("GREETING", "hello world", "EMPTY", "")).build(), log);

        Map<String, String> environment = new TreeMap<>();
        log.lines().forEach(line -> environment.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
        assertThat(environment.keySet()).containsExactlyInAnyOrder("GREETING", "EMPTY", "PATH", "HOME", "HOSTNAME");
        assertThat(environment).containsEntry("GREETING", "hello world").containsEntry("EMPTY", "")
                .containsEntry("HOME", "/tmp").containsEntry("HOSTNAME", "localhost");
        assertThat(environment.get("PATH")).contains("/bin");
    }

    @Test
    void aHomeTheStepSetsIsKept() throws IOException {
        Log log = new Log();

        builder.run(step("sh", "-c", "echo $HOME").environment(Map.of("HOME", "/workspace")).build(), log);

        assertThat(log.lines()).containsExactly("/workspace");
    }

    @Test
    void aTimeoutKillsEveryProcessOfTheStepAndSaysSo() throws IOException {
        String marker = uniqueSleep();
        Log log = new Log();

        // one process leaves the step's session and process group; it must die too
        StepResult result = builder.run(step("sh", "-c", "setsid sleep " + marker + " & echo started; sleep " + marker)
                .timeout(Duration.ofSeconds(2)).build(), log);

        assertThat(result.failureReason()).contains("timed out after 2s");
        assertThat(result.succeeded()).isFalse();
        assertThat(log.lines()).contains("started");
        assertThat(hostProcessesRunning("sleep", marker)).isEmpty();
    }

    @Test
    void interruptingTheCallingThreadCancelsTheStep() throws Exception {
        String marker = uniqueSleep();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Thread> runner = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Log log = new Log(line -> started.countDown());
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<StepResult> running = thread.submit(() -> {
                runner.set(Thread.currentThread());
                try {
                    return builder.run(step("sh", "-c", "echo started; sleep " + marker).timeout(Duration.ofMinutes(5))
                            .build(), log);
                } finally {
                    stillInterrupted.set(Thread.interrupted());
                }
            });
            assertThat(started.await(60, TimeUnit.SECONDS)).as("the step printed its first line").isTrue();

            runner.get().interrupt();
            StepResult result = running.get(60, TimeUnit.SECONDS);

            assertThat(result.failureReason()).contains("cancelled");
            assertThat(stillInterrupted.get()).as("the interrupt is kept for the caller").isTrue();
            assertThat(hostProcessesRunning("sleep", marker)).isEmpty();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aStepKilledAtItsMemoryLimitSaysSo() throws IOException {
        Log log = new Log();

        // the shell holds the whole command substitution in its memory
        StepResult result = builder.run(step("sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}")
                .limits(new ResourceLimits(32L * 1024 * 1024, 64, 1.0)).build(), log);

        assertThat(result.succeeded()).isFalse();
        assertThat(result.failureReason()).hasValueSatisfying(reason -> assertThat(reason).contains("memory limit of 32 MiB"));
    }

    @Test
    void thePidsLimitContainsAForkLoop() throws IOException {
        Log log = new Log();

        StepResult result = builder.run(step("sh", "-c",
                "i=0; while [ $i -lt 1000 ]; do sleep 300 & i=$((i+1)); echo started $i; done")
                .limits(new ResourceLimits(256L * 1024 * 1024, 16, 1.0)).timeout(Duration.ofMinutes(1)).build(), log);

        assertThat(result.failureReason()).as("the loop ended by itself, not by a timeout").isEmpty();
        assertThat(result.exitCode()).isNotZero();
        assertThat(log.lines()).anyMatch(line -> line.contains("can't fork"));
        assertThat(log.lines()).filteredOn(line -> line.startsWith("started ")).hasSizeLessThan(16);
    }

    @Test
    void streamsOneHundredMegabytesWithoutHoldingThemInMemory() throws IOException {
        long total = 100L * 1024 * 1024;
        AtomicLong bytes = new AtomicLong();
        AtomicLong lines = new AtomicLong();
        List<Long> heapAfterGc = Collections.synchronizedList(new ArrayList<>());
        long before = usedHeapAfterGc();
        LogSink counting = line -> {
            bytes.addAndGet(line.getBytes(StandardCharsets.UTF_8).length + 1);
            if (lines.incrementAndGet() % 300_000 == 0) {
                heapAfterGc.add(usedHeapAfterGc());
            }
        };

        // lines of 100 bytes: 99 characters and a newline
        StepResult result = builder.run(step("sh", "-c", "yes " + "x".repeat(99) + " | head -c " + total)
                .timeout(Duration.ofMinutes(2)).build(), counting);
        heapAfterGc.add(usedHeapAfterGc());

        assertThat(result.succeeded()).as("%s", result).isTrue();
        assertThat(bytes.get()).isEqualTo(total);
        assertThat(lines.get()).isEqualTo(total / 100);
        assertThat(heapAfterGc).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(used -> assertThat(used - before).as("heap growth while streaming")
                        .isLessThan(32L * 1024 * 1024));
    }

    @Test
    void aLongLineIsCutAt64KibAndTheNextLineIsIntact() throws IOException {
        Log log = new Log();

        builder.run(step("sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; echo; echo next").build(), log);

        assertThat(log.lines()).hasSize(2);
        assertThat(log.lines().get(0)).startsWith("a".repeat(LineSplitter.MAX_LINE_BYTES))
                .endsWith("[line cut at 64 KiB: " + (100_000 - LineSplitter.MAX_LINE_BYTES) + " more bytes]");
        assertThat(log.lines().get(1)).isEqualTo("next");
    }

    @Test
    void aProcessKilledBySegfaultIsReportedWithItsExitCode() throws IOException {
        // Debian's busybox 1.35 is built without wget's -T and crashes when given it, connection or not: the crash is
        // the step's own, reported like any exit as 128 + SIGSEGV (which is why the network probes here use nc)
        Log log = new Log();

        StepResult result = builder.run(step("wget", "-T", "1", "http://127.0.0.1:9/").build(), log);

        assertThat(result.exitCode()).isEqualTo(128 + 11);
        assertThat(result.failureReason()).isEmpty();
    }

    @Test
    void theSegmentationFaultMessageIsTheShellsReportOfItsChild() throws IOException {
        Log log = new Log();

        StepResult result = builder.run(step("sh", "-c", "wget -T 1 http://127.0.0.1:9/; echo wget=$?; echo after").build(), log);

        assertThat(result.succeeded()).isTrue();
        assertThat(log.lines()).contains("Segmentation fault", "wget=139", "after");
    }

    @Test
    void aCommandMissingFromTheImageFailsTheStepLikeAShellWould() throws IOException {
        Log log = new Log();

        StepResult result = builder.run(step("no-such-command").build(), log);

        assertThat(result.exitCode()).isEqualTo(127);
        assertThat(log.lines()).anyMatch(line -> line.contains("no-such-command"));
    }

    @Test
    void runsManyStepsAtOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String name = "step-" + i;
                Path own = Files.createDirectories(workspace.resolve(name));
                runs.add(threads.submit(() -> {
                    Log log = new Log();
                    StepResult result = builder.run(new StepBuilder(own, "sh", "-c", "sleep 1; echo I am " + name)
                            .build(), log);
                    assertThat(result.succeeded()).isTrue();
                    return log.lines();
                }));
            }
            for (int i = 0; i < runs.size(); i++) {
                assertThat(runs.get(i).get(60, TimeUnit.SECONDS)).containsExactly("I am step-" + i);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aStepWithoutAnImageIsRefusedWithWhatToAddToThePipeline() {
        assertThatThrownBy(() -> builder.run(step("true").image(Optional.empty()).build(), new Log()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("pipeline.yaml").hasMessageContaining("image:");
    }

    @Test
    void anImageMissingOnTheDockerHostIsNamedAndNotPulled() {
        String missing = "gantry/never-imported:" + UUID.randomUUID();

        assertThatThrownBy(() -> builder.run(step("true").image(Optional.of(missing)).build(), new Log()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'" + missing + "'")
                .hasMessageContaining("build or import it");
        assertThatThrownBy(() -> docker.inspectImageCmd(missing).exec()).as("not pulled").isInstanceOf(NotFoundException.class);
    }

    @Test
    void anUnreachableEngineIsReportedWithWhatToStart(@TempDir Path nowhere) {
        String host = "unix://" + nowhere.resolve("docker.sock");
        // constructing works without an engine: the plugin is bundled with every server
        DockerBuilder absent = new DockerBuilder(new PluginConfig(Map.of("host", host)), Clock.systemUTC());

        assertThatThrownBy(() -> absent.run(step("true").build(), new Log()))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("the Docker engine at " + host + " cannot be reached: ")
                .hasMessageContaining("start dockerd");
    }

    @Test
    void theFirstStepRemovesContainersThatACrashedRunLeftBehind() throws IOException {
        String crashed = "crashed-" + UUID.randomUUID();
        Instant now = Instant.now();
        String exited = leftover(crashed, now.plus(Duration.ofHours(1)), "true");
        String pastItsDeadline = leftover(crashed, now.minus(Duration.ofHours(1)), "sleep", "1000");
        String stillRunning = leftover(crashed, now.plus(Duration.ofHours(1)), "sleep", "1000");
        String notOurs = docker.createContainerCmd(IMAGE).withCmd("true").withLabels(Map.of("other", crashed)).exec().getId();
        try {
            waitUntilExited(exited);
            // ten minutes on, the exited container has been left long enough to count as abandoned
            DockerBuilder later = new DockerBuilder(new PluginConfig(Map.of()),
                    Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));

            later.run(step("true").build(), new Log());

            Set<String> remaining = Set.copyOf(docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(DockerBuilder.BUILDER_LABEL, crashed)).exec().stream().map(Container::getId).toList());
            assertThat(remaining).containsExactly(stillRunning);
            assertThat(docker.inspectContainerCmd(notOurs).exec().getId()).isEqualTo(notOurs);
        } finally {
            for (String id : List.of(exited, pastItsDeadline, stillRunning, notOurs)) {
                try {
                    docker.removeContainerCmd(id).withForce(true).exec();
                } catch (NotFoundException e) {
                    // removed by the builder
                }
            }
        }
    }

    @Test
    void aStepThatJustExitedIsNotTakenForALeftover() throws IOException {
        String other = "other-" + UUID.randomUUID();
        String exited = leftover(other, Instant.now().plus(Duration.ofHours(1)), "true");
        try {
            waitUntilExited(exited);

            builder.run(step("true").build(), new Log());

            assertThat(docker.inspectContainerCmd(exited).exec().getId()).isEqualTo(exited);
        } finally {
            docker.removeContainerCmd(exited).withForce(true).exec();
        }
    }

    private String leftover(String builderId, Instant deadline, String... command) {
        String id = docker.createContainerCmd(IMAGE).withCmd(command)
                .withLabels(Map.of(DockerBuilder.BUILDER_LABEL, builderId, DockerBuilder.DEADLINE_LABEL, deadline.toString(),
                        DockerBuilder.STEP_LABEL, "leftover"))
                .exec().getId();
        docker.startContainerCmd(id).exec();
        return id;
    }

    private static void waitUntilExited(String id) {
        try {
            docker.waitContainerCmd(id).start().awaitStatusCode(30, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            throw new AssertionError("container " + id + " did not exit", e);
        }
    }

    static List<Container> containersOf(DockerBuilder builder) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerBuilder.BUILDER_LABEL, builder.instanceId())).exec();
    }

    private StepBuilder step(String... command) {
        return new StepBuilder(workspace, command);
    }

    /** The address of the host on Docker's default bridge (docker0), which bridged containers can reach. */
    static InetAddress bridgeGateway() throws IOException {
        NetworkInterface docker0 = NetworkInterface.getByName("docker0");
        if (docker0 != null) {
            Optional<InetAddress> address = docker0.inetAddresses().filter(Inet4Address.class::isInstance).findFirst();
            if (address.isPresent()) {
                return address.get();
            }
        }
        Network bridge = docker.inspectNetworkCmd().withNetworkId("bridge").exec();
        return InetAddress.getByName(bridge.getIpam().getConfig().get(0).getGateway());
    }

    private static String uniqueSleep() {
        return String.valueOf(100_000 + (int) (Math.random() * 800_000));
    }

    /** Processes on this host (containers' included) whose command line is exactly {@code arguments}. */
    private static List<String> hostProcessesRunning(String... arguments) throws IOException {
        String wanted = String.join("\0", arguments);
        List<String> found = new ArrayList<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(path -> path.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String commandLine = Files.readString(process.resolve("cmdline"), StandardCharsets.ISO_8859_1);
                    if (commandLine.replaceAll("\0$", "").equals(wanted)) {
                        found.add(process.getFileName().toString());
                    }
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        }
        return found;
    }

    private static boolean isRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void touch(Path path) {
        try {
            Files.writeString(path, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Collects a step's lines; optionally reacts to each as it arrives. */
    static final class Log implements LogSink {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Consumer<String> onLine;

        Log() {
            this(line -> {});
        }

        Log(Consumer<String> onLine) {
            this.onLine = onLine;
        }

        @Override
        public void line(String line) {
            lines.add(line);
            onLine.accept(line);
        }

        List<String> lines() {
            return List.copyOf(lines);
        }
    }

    /** A TCP listener on the host that counts the connections it accepts. */
    private static final class Listener implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger accepted = new AtomicInteger();
        private final CompletableFuture<Void> acceptor;

        Listener(InetAddress address) throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(address, 0));
            acceptor = CompletableFuture.runAsync(() -> {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.get(10, TimeUnit.SECONDS);
        }
    }

    /** A step with defaults for these tests: the busybox image, 60 s, default limits, no network. */
    static final class StepBuilder {
        private final Path workspace;
        private final List<String> command;
        private Map<String, String> environment = new HashMap<>();
        private List<StepSpec.Mount> mounts = List.of();
        private Duration timeout = Duration.ofSeconds(60);
        private boolean network;
        private Optional<String> image = Optional.of(IMAGE);
        private ResourceLimits limits = new ResourceLimits(512L * 1024 * 1024, 256, 1.0);

        StepBuilder(Path workspace, String... command) {
            this.workspace = workspace;
            this.command = List.of(command);
        }

        StepBuilder environment(Map<String, String> value) {
            environment = value;
            return this;
        }

        StepBuilder mounts(List<StepSpec.Mount> value) {
            mounts = value;
            return this;
        }

        StepBuilder timeout(Duration value) {
            timeout = value;
            return this;
        }

        StepBuilder network(boolean value) {
            network = value;
            return this;
        }

        StepBuilder image(Optional<String> value) {
            image = value;
            return this;
        }

        StepBuilder limits(ResourceLimits value) {
            limits = value;
            return this;
        }

        StepSpec build() {
            return new StepSpec("test", command, workspace, environment, mounts, timeout, network, image, limits);
        }
    }
}
