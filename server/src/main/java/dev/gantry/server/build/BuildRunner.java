package dev.gantry.server.build;

import dev.gantry.plugin.api.build.Builder;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import dev.gantry.plugin.api.scm.CheckoutRequest;
import dev.gantry.plugin.api.scm.CheckoutResult;
import dev.gantry.plugin.api.scm.CommitNotFoundException;
import dev.gantry.plugin.api.scm.ScmProvider;
import dev.gantry.server.artifact.ArtifactDigest;
import dev.gantry.server.pipeline.DependencyStep;
import dev.gantry.server.pipeline.PipelineDefinition;
import dev.gantry.server.pipeline.PipelineException;
import dev.gantry.server.pipeline.PipelineParser;
import dev.gantry.server.pipeline.PipelineProblem;
import dev.gantry.server.pipeline.Stage;
import dev.gantry.server.pipeline.Step;
import dev.gantry.server.plugins.Extension;
import dev.gantry.server.plugins.PluginHost;
import dev.gantry.server.scm.ScmProviders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one leased build attempt from its first step: check out the commit into a fresh workspace, read its
 * pipeline.yaml, fetch dependencies (or mount them from the cache), run the stages' steps through the selected
 * builder, package and store the artifact, and report the outcome. The workspace is deleted afterwards.
 */
final class BuildRunner {
    private static final Logger log = LoggerFactory.getLogger(BuildRunner.class);
    private static final int PARSED_PIPELINES_KEPT = 64;
    static final String DEPENDENCIES_MOUNT = "/deps";
    /** The name of a workspace's directory made ahead ({@link #prepareNextWorkspace}), before a build is known. */
    static final String READY_PREFIX = "ready-";
    /** How long a build waits for an artifact store that cannot be reached before it fails. */
    static final Duration STORE_WAIT = Duration.ofMinutes(2);

    private final BuildCoordinator coordinator;
    private final PluginHost plugins;
    private final ScmProviders scm;
    private final BuildConfig config;
    private final Supplier<Set<String>> labels;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Semaphore> builderSlots = new ConcurrentHashMap<>();
    /** Pipelines parsed lately, by the SHA-256 of their pipeline.yaml: most commits leave it as it was. */
    private final Map<String, PipelineDefinition> parsedPipelines = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, PipelineDefinition> eldest) {
                    return size() > PARSED_PIPELINES_KEPT;
                }
            });
    /** The next build's workspace, made ahead; taken by a build as it begins, and deleted when it ends. */
    private final AtomicReference<ReadyWorkspace> ready = new AtomicReference<>();
    private volatile boolean closed;
    /** Writes the attempts' progress (a thread while one is being written; idle threads end after a minute). */
    private final ExecutorService progressWriter = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "build-progress");
        thread.setDaemon(true);
        return thread;
    });

    /** {@code labels}: the labels of the agent this runs for; a pipeline that needs others goes back to the queue. */
    BuildRunner(BuildCoordinator coordinator, PluginHost plugins, ScmProviders scm, BuildConfig config, Supplier<Set<String>> labels,
                ScheduledExecutorService scheduler) {
        this.coordinator = coordinator;
        this.plugins = plugins;
        this.scm = scm;
        this.config = config;
        this.labels = labels;
        this.scheduler = scheduler;
    }

    /** A workspace made before a build needed it, and what the default builder prepared there. */
    private record ReadyWorkspace(Path dir, Builder.Prepared prepared) {
        void discard() {
            prepared.close();
            deleteRecursively(dir);
        }
    }

    /** The state one attempt carries through its stages. */
    private final class Attempt {
        final BuildLease lease;
        final BuildLogWriter log;
        final BuildProgress progress = new BuildProgress();
        final ProgressReporter reporter;
        final CancelFlag cancel;
        volatile String status = "building";

        Attempt(BuildLease lease, CancelFlag cancel) {
            this.lease = lease;
            this.cancel = cancel;
            this.log = new BuildLogWriter(coordinator, lease, config.logLimitBytes(), scheduler);
            this.reporter = new ProgressReporter(coordinator, lease, progressWriter,
                    () -> new ProgressReporter.Snapshot(status, progress.json()));
        }

        void report() {
            reporter.report();
        }

        /** The pipeline's recording, when it was not waited for. */
        CompletableFuture<BuildCoordinator.PipelineAccepted> pipelineRecorded = CompletableFuture.completedFuture(null);

        /**
         * Waits for the progress reported so far, and the pipeline, to be written, so that nothing written after the
         * end changes them.
         */
        void flushProgress() {
            try {
                reporter.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pipelineRecorded.exceptionally(failure -> null).join(); // a failure was the build's, if it got that far
        }
    }

    /**
     * Set by the agent when the build is cancelled, or handed back because the server stops (its thread is
     * interrupted too). A handed-back build is queued again rather than finished.
     */
    static final class CancelFlag {
        private volatile boolean cancelled;
        private volatile boolean handedBack;

        void set() {
            cancelled = true;
        }

        void handBack() {
            handedBack = true;
            cancelled = true;
        }

        boolean isSet() {
            return cancelled;
        }

        boolean handedBack() {
            return handedBack;
        }
    }

    /** The pipeline needs labels this agent lacks: the build goes back to the queue to wait for an agent that has them. */
    private static final class MissingLabels extends Exception {
        final List<String> required;

        MissingLabels(List<String> required, Set<String> labels) {
            super("this build needs an agent with the labels " + String.join(", ", required)
                    + " (pipeline.yaml's agent_labels and its builder); this agent has " + String.join(", ", new TreeSet<>(labels))
                    + ", so the build goes back to the queue for one that does");
            this.required = required;
        }
    }

    /** How an attempt ended. */
    private record Outcome(String status, Optional<String> reason, Optional<String> artifact) {
        static Outcome failed(CancelFlag cancel, String reason) {
            return cancel.isSet() ? new Outcome("cancelled", Optional.of("cancelled"), Optional.empty())
                    : new Outcome("failed", Optional.of(reason), Optional.empty());
        }
    }

    void run(BuildLease lease, CancelFlag cancel) {
        try {
            runAttempt(lease, cancel);
        } finally {
            prepareNextWorkspace();
        }
    }

    private void runAttempt(BuildLease lease, CancelFlag cancel) {
        Attempt attempt = new Attempt(lease, cancel);
        // the workspace made ahead, if there is one: its directory keeps its name, which a sandbox may have bound
        Optional<ReadyWorkspace> ready = Optional.ofNullable(this.ready.getAndSet(null));
        Path dir = ready.map(ReadyWorkspace::dir).orElse(config.workDir().resolve(lease.buildId() + "-" + lease.attempt()));
        long started = System.nanoTime();
        Outcome outcome;
        try {
            if (lease.attempt() > 1) {
                attempt.log.gantry("attempt " + lease.attempt() + " of " + config.maxAttempts()
                        + ": the previous attempt was interrupted, so the build runs again from its first step");
            }
            outcome = new Outcome("passed", Optional.empty(), execute(attempt, dir, ready.map(ReadyWorkspace::prepared)));
        } catch (MissingLabels missing) {
            attempt.log.gantry(missing.getMessage());
            attempt.log.close();
            attempt.flushProgress();
            coordinator.handBack(lease, Optional.of(missing.required));
            deleteRecursively(dir);
            return;
        } catch (BuildFailure failure) {
            outcome = Outcome.failed(cancel, failure.getMessage());
        } catch (InterruptedException e) {
            outcome = Outcome.failed(cancel, "interrupted");
        } catch (RuntimeException e) {
            log.error("Build {} failed unexpectedly", lease.buildId(), e);
            outcome = Outcome.failed(cancel, "Gantry failed while running the build: " + e.getMessage());
        }
        Thread.interrupted(); // whatever interrupted the attempt, its outcome is still recorded
        try {
            if (cancel.handedBack()) {
                attempt.log.gantry("the server is stopping; the build goes back to the queue and runs again from its first step");
                attempt.log.close();
                attempt.flushProgress();
                coordinator.handBack(lease, Optional.empty());
                return;
            }
            attempt.progress.endRunning(outcome.status());
            String status = outcome.status();
            outcome.reason().ifPresent(text -> attempt.log.gantry((status.equals("cancelled") ? "" : "error: ") + text));
            attempt.log.gantry("build " + status + " in " + String.format("%.1f", (System.nanoTime() - started) / 1e9) + " s");
            attempt.log.close();
            attempt.flushProgress();
            coordinator.finish(lease, status, outcome.reason(), outcome.artifact(), attempt.progress.json());
        } finally {
            deleteRecursively(dir);
        }
    }

    private Optional<String> execute(Attempt attempt, Path dir, Optional<Builder.Prepared> ready)
            throws BuildFailure, InterruptedException, MissingLabels {
        Path workspace = dir.resolve("workspace");
        if (ready.isEmpty()) {
            try {
                deleteRecursively(dir);
                Files.createDirectories(workspace);
            } catch (IOException e) {
                throw new BuildFailure("cannot create the build's workspace under " + config.workDir() + ": " + e.getMessage(), e);
            }
        }
        try (Builder.Prepared ahead = ready.orElseGet(() -> prepareDefaultBuilder(workspace))) {
            return build(attempt, workspace);
        }
    }

    /**
     * Makes the next build's workspace, unless one is ready, and lets the default builder prepare for its first step
     * there; called when the agent starts and after each build, so that the preparation is done before a build needs
     * it instead of competing with its checkout.
     */
    void prepareNextWorkspace() {
        if (closed || ready.get() != null) {
            return;
        }
        Path dir = config.workDir().resolve(READY_PREFIX + UUID.randomUUID());
        try {
            Path workspace = Files.createDirectories(dir.resolve("workspace"));
            ReadyWorkspace next = new ReadyWorkspace(dir, prepareDefaultBuilder(workspace));
            if (!ready.compareAndSet(null, next) || (closed && ready.compareAndSet(next, null))) {
                next.discard();
            }
        } catch (IOException e) {
            log.debug("No workspace made ahead under {}: {}", config.workDir(), e.toString());
            deleteRecursively(dir);
        }
    }

    /** Removes workspaces made ahead that a stopped process left behind, then makes the next one. */
    void start() {
        try (Stream<Path> entries = Files.isDirectory(config.workDir()) ? Files.list(config.workDir()) : Stream.empty()) {
            entries.filter(entry -> entry.getFileName().toString().startsWith(READY_PREFIX)).forEach(BuildRunner::deleteRecursively);
        } catch (IOException e) {
            log.debug("Could not look for workspaces left behind in {}: {}", config.workDir(), e.toString());
        }
        prepareNextWorkspace();
    }

    /** Gives up the workspace made ahead: the agent stops. */
    void close() {
        closed = true;
        ReadyWorkspace next = ready.getAndSet(null);
        if (next != null) {
            next.discard();
        }
    }

    /** Most pipelines use the default builder: it may get ready for the first step before the commit is checked out. */
    private Builder.Prepared prepareDefaultBuilder(Path workspace) {
        try {
            return builder(PipelineDefinition.SANDBOX).prepare(workspace);
        } catch (BuildFailure | RuntimeException e) {
            log.debug("The default builder prepares nothing for {}: {}", workspace, e.toString());
            return Builder.Prepared.NOTHING;
        }
    }

    private Optional<String> build(Attempt attempt, Path workspace) throws BuildFailure, InterruptedException, MissingLabels {
        BuildLease lease = attempt.lease;
        BuildLogWriter log = attempt.log;
        attempt.progress.startStage("checkout", "setup");
        attempt.report();
        BuildCoordinator.BuildSource repository = coordinator.source(lease);
        log.gantry("checkout " + repository.repoName() + " at " + lease.commitSha() + " (" + lease.branch() + ")");
        ScmProvider provider = scm.find(repository.provider()).orElseThrow(() -> new BuildFailure(
                "no enabled plugin checks out '" + repository.provider() + "' repositories"));
        CheckoutResult checkout;
        long checkoutStarted = System.nanoTime();
        try {
            checkout = provider.checkout(new CheckoutRequest(repository.url(), lease.commitSha(), workspace,
                    repository.credentials()));
        } catch (CommitNotFoundException e) {
            throw new BuildFailure(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new BuildFailure("checkout failed: " + e.getMessage(), e);
        }
        attempt.progress.step("checkout", "passed", null, Duration.ofNanos(System.nanoTime() - checkoutStarted), null);
        attempt.progress.finishStage("passed");
        checkCancelled(attempt);

        PipelineDefinition pipeline = readPipeline(workspace, log);
        List<String> required = pipeline.requiredLabels();
        Set<String> mine = labels.get();
        if (!mine.containsAll(required)) {
            throw new MissingLabels(required, mine);
        }
        BuildCoordinator.PipelineAccepted accepted;
        if (pipeline.secrets().isEmpty() && !pipeline.cancelSuperseded()) {
            // nothing the steps need comes back: the first step need not wait for the pipeline to be recorded
            attempt.pipelineRecorded = CompletableFuture.supplyAsync(() -> {
                try {
                    return coordinator.pipelineRead(lease, pipeline);
                } catch (BuildFailure e) {
                    throw new CompletionException(e);
                }
            }, progressWriter);
            accepted = new BuildCoordinator.PipelineAccepted(Map.of(), List.of());
        } else {
            accepted = coordinator.pipelineRead(lease, pipeline);
        }
        attempt.report();
        for (String older : accepted.cancelledBuilds()) {
            log.gantry("cancelled build " + older + " of the same branch, which this one supersedes");
        }
        Builder builder = builder(pipeline.builder());
        Map<String, String> secretEnv = new TreeMap<>(accepted.secrets());
        log.mask(new ArrayList<>(secretEnv.values()));
        Map<String, String> baseEnv = new TreeMap<>(pipeline.env());
        baseEnv.put("CI", "true");
        baseEnv.put("GANTRY_BUILD_ID", lease.buildId());
        baseEnv.put("GANTRY_REPO", repository.repoName());
        baseEnv.put("GANTRY_BRANCH", lease.branch());
        baseEnv.put("GANTRY_COMMIT_SHA", checkout.commitSha());
        // the reproducible-builds convention: tools stamp this time instead of the clock's
        baseEnv.put("SOURCE_DATE_EPOCH", Long.toString(checkout.commitTime().getEpochSecond()));
        baseEnv.putAll(secretEnv);
        StepSpec.ResourceLimits limits = new StepSpec.ResourceLimits(pipeline.limits().memoryBytes(),
                pipeline.limits().processes(), pipeline.limits().cpus());

        Semaphore slots = builderSlots.computeIfAbsent(pipeline.builder(), kind -> new Semaphore(config.concurrency(kind)));
        if (!slots.tryAcquire()) {
            log.gantry("waiting for a free " + pipeline.builder() + " builder (build.concurrency." + pipeline.builder() + ")");
            slots.acquire();
        }
        try {
            List<StepSpec.Mount> mounts = new ArrayList<>();
            if (pipeline.dependencies().isPresent()) {
                Path deps = dependencies(attempt, pipeline, builder, workspace, baseEnv, limits);
                mounts.add(new StepSpec.Mount(deps, DEPENDENCIES_MOUNT, false));
            }
            for (Stage stage : pipeline.stages()) {
                checkCancelled(attempt);
                if (!stage.runsOn(lease.branch())) {
                    attempt.progress.skipStage(stage.name(), stage.kind().id(), "branch " + lease.branch() + " is not in its when.branches");
                    log.gantry("stage " + stage.name() + ": skipped (only on " + String.join(", ",
                            stage.when().map(when -> when.branches()).orElse(List.of())) + ")");
                    attempt.report();
                    continue;
                }
                attempt.status = stage.kind().id().equals("test") ? "testing" : "building";
                attempt.progress.startStage(stage.name(), stage.kind().id());
                attempt.report();
                log.gantry("stage " + stage.name());
                for (Step step : stage.steps()) {
                    Map<String, String> env = new TreeMap<>(baseEnv);
                    env.putAll(step.env());
                    env.putAll(secretEnv);
                    runStep(attempt, builder, "stage " + stage.name() + ", step " + step.name(), step.name(),
                            new StepSpec(step.name(), step.command(), workspace, env, mounts, step.timeout(), false,
                                    pipeline.image(), limits));
                }
                attempt.progress.finishStage("passed");
                attempt.report();
            }
        } finally {
            slots.release();
        }
        attempt.status = "building";
        awaitPipelineRecorded(attempt);
        return pipeline.artifact().isPresent()
                ? Optional.of(storeArtifact(attempt, pipeline, workspace, checkout))
                : Optional.empty();
    }

    /** Fails the build if recording its pipeline, which the steps did not wait for, failed. */
    private static void awaitPipelineRecorded(Attempt attempt) throws BuildFailure, InterruptedException {
        try {
            attempt.pipelineRecorded.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BuildFailure failure) {
                throw failure;
            }
            throw new BuildFailure("recording the pipeline failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private PipelineDefinition readPipeline(Path workspace, BuildLogWriter log) throws BuildFailure {
        Path file = workspace.resolve("pipeline.yaml");
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildFailure("the commit has no pipeline.yaml at the repository root (see docs/pipeline.md)");
        }
        try {
            if (Files.size(file) > PipelineParser.MAX_BYTES) {
                throw new BuildFailure("pipeline.yaml is " + Files.size(file) + " bytes; the limit is " + PipelineParser.MAX_BYTES);
            }
            byte[] yaml = Files.readAllBytes(file);
            // a PipelineDefinition is immutable: one parse serves every commit with the same pipeline.yaml
            String digest = HexFormat.of().formatHex(sha256().digest(yaml));
            PipelineDefinition parsed = parsedPipelines.get(digest);
            if (parsed == null) {
                parsed = PipelineParser.parse(yaml);
                parsedPipelines.put(digest, parsed);
            }
            return parsed;
        } catch (PipelineException e) {
            for (PipelineProblem problem : e.problems()) {
                log.gantry("pipeline.yaml:" + problem.line() + ":" + problem.column() + ": " + problem.message()
                        + " [" + problem.rule() + "]");
            }
            PipelineProblem first = e.problems().get(0);
            throw new BuildFailure("pipeline.yaml is not valid: line " + first.line() + ", column " + first.column() + ": "
                    + first.message() + (e.problems().size() > 1 ? " (and " + (e.found() - 1) + " more problems, in the log)" : ""));
        } catch (IOException e) {
            throw new BuildFailure("cannot read pipeline.yaml: " + e.getMessage(), e);
        }
    }

    private Builder builder(String kind) throws BuildFailure {
        return plugins.extensions(Builder.class).stream()
                .map(Extension::instance)
                .filter(builder -> builder.kind().equals(kind))
                .findFirst()
                .orElseThrow(() -> new BuildFailure("pipeline.yaml asks for the '" + kind + "' builder, but no enabled plugin provides it"));
    }

    /**
     * The dependency directory for this pipeline's lock files: from the cache when an earlier build fetched the same,
     * otherwise fetched now by the one step that may use the network, and then cached.
     */
    private Path dependencies(Attempt attempt, PipelineDefinition pipeline, Builder builder, Path workspace,
                              Map<String, String> baseEnv, StepSpec.ResourceLimits limits) throws BuildFailure, InterruptedException {
        DependencyStep step = pipeline.dependencies().orElseThrow();
        attempt.progress.startStage("dependencies", "setup");
        attempt.report();
        String key = dependencyKey(pipeline, step, workspace);
        Path cacheRoot = config.cacheDir().resolve("dependencies");
        Path cached = cacheRoot.resolve(key);
        if (Files.isDirectory(cached)) {
            attempt.log.gantry("dependencies: cached (key " + key.substring(0, 12) + ", from " + String.join(", ", step.lockFiles()) + ")");
            attempt.progress.step("fetch", "cached", null, Duration.ZERO, null);
            attempt.progress.finishStage("passed");
            return cached;
        }
        attempt.log.gantry("dependencies: fetching (key " + key.substring(0, 12) + "; the only step with network access)");
        Path fetching;
        try {
            fetching = Files.createDirectories(cacheRoot.resolve("fetching")).resolve(key + "-" + attempt.lease.buildId());
            deleteRecursively(fetching);
            Files.createDirectories(fetching);
        } catch (IOException e) {
            throw new BuildFailure("cannot create the dependency cache under " + cacheRoot + ": " + e.getMessage(), e);
        }
        Map<String, String> env = new TreeMap<>(baseEnv);
        env.putAll(step.env());
        runStep(attempt, builder, "the dependencies step", "fetch", new StepSpec("dependencies", step.command(), workspace, env,
                List.of(new StepSpec.Mount(fetching, DEPENDENCIES_MOUNT, true)), step.timeout(), true, pipeline.image(), limits));
        try {
            Files.move(fetching, cached, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException concurrentFetch) {
            deleteRecursively(fetching); // another build cached the same key meanwhile
        } catch (AtomicMoveNotSupportedException e) {
            throw new BuildFailure("the dependency cache directory cannot be renamed atomically: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BuildFailure("cannot store the fetched dependencies in the cache: " + e.getMessage(), e);
        }
        attempt.progress.finishStage("passed");
        return cached;
    }

    /** The cache key: the builder, image and command of the fetch, and the name and content of every lock file. */
    private static String dependencyKey(PipelineDefinition pipeline, DependencyStep step, Path workspace) throws BuildFailure {
        MessageDigest sha = sha256();
        update(sha, pipeline.builder());
        update(sha, pipeline.image().orElse(""));
        step.command().forEach(part -> update(sha, part));
        new TreeMap<>(step.env()).forEach((name, value) -> update(sha, name + "=" + value));
        for (String lockFile : step.lockFiles()) {
            Path file = workspace.resolve(lockFile).normalize();
            if (!file.startsWith(workspace) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new BuildFailure("the lock file '" + lockFile + "' that pipeline.yaml's dependencies.lock_files names does not exist in the commit");
            }
            update(sha, lockFile);
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                for (int read; (read = in.read(buffer)) != -1; ) {
                    sha.update(buffer, 0, read);
                }
            } catch (IOException e) {
                throw new BuildFailure("cannot read the lock file '" + lockFile + "': " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private void runStep(Attempt attempt, Builder builder, String description, String name, StepSpec spec)
            throws BuildFailure, InterruptedException {
        checkCancelled(attempt);
        attempt.progress.step(name, "running", null, null, null);
        attempt.report();
        attempt.log.gantry("step " + name + ": " + String.join(" ", spec.command()));
        StepResult result;
        try {
            result = builder.run(spec, attempt.log);
        } catch (IOException e) {
            attempt.progress.step(name, "failed", null, null, e.getMessage());
            throw new BuildFailure(description + " could not run: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            attempt.progress.step(name, "failed", null, null, e.getMessage());
            throw new BuildFailure(description + " could not run: " + e.getMessage(), e);
        }
        checkCancelled(attempt);
        if (!result.succeeded()) {
            String why = result.failureReason().orElse("exited with code " + result.exitCode());
            attempt.progress.step(name, "failed", result.exitCode(), result.duration(), why);
            attempt.progress.finishStage("failed");
            throw new BuildFailure(description + " failed: " + why);
        }
        attempt.progress.step(name, "passed", result.exitCode(), result.duration(), null);
        attempt.report();
    }

    private static void checkCancelled(Attempt attempt) throws InterruptedException {
        if (attempt.cancel.isSet() || Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("cancelled");
        }
    }

    private String storeArtifact(Attempt attempt, PipelineDefinition pipeline, Path workspace, CheckoutResult checkout)
            throws BuildFailure, InterruptedException {
        String declared = pipeline.artifact().orElseThrow().path();
        Path root = workspace.resolve(declared).normalize();
        if (!root.startsWith(workspace)) {
            throw new BuildFailure("the artifact path '" + declared + "' points outside the workspace");
        }
        Optional<String> problem = ArtifactBundle.problem(root, declared);
        if (problem.isPresent()) {
            throw new BuildFailure(problem.get());
        }
        Path bundle = workspace.getParent().resolve("artifact.tar.gz");
        ArtifactDigest digest;
        MessageDigest sha = sha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(bundle), sha)) {
            ArtifactBundle.write(root, checkout.commitTime(), out);
        } catch (IOException e) {
            throw new BuildFailure("cannot package the artifact: " + e.getMessage(), e);
        }
        digest = ArtifactDigest.of(sha.digest());
        BuildCoordinator.StoredArtifact stored = storeWhenReachable(attempt, digest, bundle, checkout.commitSha(),
                pipeline.deploy().map(deploy -> deploy.service()));
        attempt.log.gantry("artifact " + digest + " (" + stored.sizeBytes() + " bytes" + (stored.created() ? "" : ", already stored") + ")");
        return digest.toString();
    }

    /** Stores the artifact, waiting out an artifact store that cannot be reached for up to {@link #STORE_WAIT}. */
    private BuildCoordinator.StoredArtifact storeWhenReachable(Attempt attempt, ArtifactDigest digest, Path bundle,
                                                               String commitSha, Optional<String> service)
            throws BuildFailure, InterruptedException {
        long deadline = System.nanoTime() + STORE_WAIT.toNanos();
        long backoffMillis = 1000;
        while (true) {
            try {
                return coordinator.storeArtifact(attempt.lease, digest, bundle, commitSha, service);
            } catch (BuildCoordinator.StoreUnavailable e) {
                if (System.nanoTime() + backoffMillis * 1_000_000 > deadline) {
                    throw new BuildFailure("cannot store the artifact: the artifact store was unreachable for "
                            + STORE_WAIT.toMinutes() + " minutes: " + e.getMessage());
                }
                attempt.log.gantry("the artifact store cannot be reached (" + e.getMessage() + "); trying again in "
                        + backoffMillis / 1000 + " s");
                Thread.sleep(backoffMillis);
                checkCancelled(attempt);
                backoffMillis = Math.min(backoffMillis * 2, 10_000);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", dir, e.getMessage());
        }
    }
}
