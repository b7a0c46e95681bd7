package dev.gantry.plugins.deployer.common;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.StaleFenceException;
import dev.gantry.plugins.deployer.common.RouterClient.VersionState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A target's traffic as its router carries it, the same for every deployer that runs one router per target: weights
 * go only to versions with healthy instances, the router's backends follow the instances' health, and a version with a
 * share of the traffic is not removed. The deployer says which instances it has and which are healthy; this class
 * drives the router. Changing calls run inside {@link TargetDirectory#exclusively}, after its fence check.
 */
public final class Traffic {
    private static final Logger log = LoggerFactory.getLogger(Traffic.class);
    /** How long started instances are watched so they join the router's backends once they pass their health check. */
    private static final Duration SETTLE_WATCH = Duration.ofMinutes(2);
    private static final Duration SETTLE_POLL = Duration.ofMillis(250);

    private final Routers routers;
    private final HttpClient httpClient;
    private final Duration healthTimeout;

    public Traffic(Routers routers, HttpClient httpClient, Duration healthTimeout) {
        this.routers = requireNonNull(routers, "routers is null");
        this.httpClient = requireNonNull(httpClient, "httpClient is null");
        this.healthTimeout = requireNonNull(healthTimeout, "healthTimeout is null");
    }

    /**
     * Refuses weights that are not each from 0 to 100 or that do not add up to 100; all 0 (or none) is allowed: it
     * takes the service's traffic away (the rollback of a first deploy).
     */
    public static void checkWeights(Map<String, Integer> weightByVersion) {
        requireNonNull(weightByVersion, "weightByVersion is null");
        int sum = 0;
        for (Map.Entry<String, Integer> entry : weightByVersion.entrySet()) {
            TargetDirectory.name("version", entry.getKey());
            Integer weight = entry.getValue();
            if (weight == null || weight < 0 || weight > 100) {
                throw new IllegalArgumentException("the weight of version " + entry.getKey()
                        + " must be from 0 to 100, got " + weight);
            }
            sum += weight;
        }
        if (sum != 100 && !(sum == 0 && weightByVersion.values().stream().allMatch(weight -> weight == 0))) {
            throw new IllegalArgumentException("the weights must add up to 100 (or all be 0), they add up to " + sum + ": "
                    + new TreeMap<>(weightByVersion));
        }
    }

    /**
     * Replaces the router's whole state in one step (starting the router if none runs): each version that has
     * instances, with its weight (0 when left out) and its healthy instances as backends. A version given a share
     * without a healthy instance is refused, naming it.
     *
     * @param healthy per version that has instances, the addresses of its healthy ones (possibly none)
     */
    public void setWeights(TargetDirectory dir, Map<String, Integer> weightByVersion, Map<String, List<String>> healthy) {
        for (Map.Entry<String, Integer> entry : new TreeMap<>(weightByVersion).entrySet()) {
            if (entry.getValue() > 0 && healthy.getOrDefault(entry.getKey(), List.of()).isEmpty()) {
                throw new DeployerException("version " + entry.getKey() + " has no healthy instance on target "
                        + dir.describe() + ", so it cannot take " + entry.getValue() + "% of the traffic"
                        + (healthy.containsKey(entry.getKey()) ? "" : " (none was started: ensureInstances first)"));
            }
        }
        RouterClient router = routers.ensure(dir);
        Map<String, VersionState> next = new TreeMap<>();
        healthy.forEach((version, backends) ->
                next.put(version, new VersionState(weightByVersion.getOrDefault(version, 0), backends)));
        router.putState(dir.target().fence(), next);
        log.info("target {}: weights {}", dir.describe(), new TreeMap<>(weightByVersion));
    }

    /** The router's weights (versions with a share only); a router that died is started again first. */
    public Map<String, Integer> weights(TargetDirectory dir) {
        if (!Routers.everStarted(dir)) {
            return Map.of();
        }
        // a router that died is started again: it restores the weights it persisted
        RouterClient router = routers.running(dir).orElseGet(() -> dir.exclusively(() -> routers.ensure(dir)));
        Map<String, Integer> weights = new TreeMap<>();
        router.state().forEach((version, state) -> {
            if (state.weight() > 0) {
                weights.put(version, state.weight());
            }
        });
        return weights;
    }

    /**
     * Takes the version out of the router, refused while it still has a share of the traffic. Call before stopping its
     * instances, inside {@link TargetDirectory#exclusively}.
     */
    public void removeVersion(TargetDirectory dir, String version) {
        if (!Routers.everStarted(dir)) {
            return;
        }
        RouterClient router = routers.running(dir).orElseGet(() -> routers.ensure(dir));
        Map<String, VersionState> state = router.state();
        VersionState current = state.get(version);
        if (current != null && current.weight() > 0) {
            throw new DeployerException("version " + version + " still receives " + current.weight()
                    + "% of the traffic on target " + dir.describe() + "; give its share to other versions "
                    + "with setWeights before removing it");
        }
        if (current != null) {
            Map<String, VersionState> next = new TreeMap<>(state);
            next.remove(version);
            router.putState(dir.target().fence(), next);
        }
    }

    /**
     * Sets the router's backends of every version to {@code healthy}, keeping the weights. Does nothing when no router
     * runs: the next setWeights starts one with the backends of that moment.
     */
    public void refresh(TargetDirectory dir, Map<String, List<String>> healthy) {
        RouterClient router = routers.running(dir).orElse(null);
        if (router == null) {
            return;
        }
        Map<String, VersionState> current = router.state();
        Map<String, VersionState> next = new TreeMap<>();
        healthy.forEach((version, backends) -> {
            VersionState now = current.get(version);
            next.put(version, new VersionState(now == null ? 0 : now.weight(), backends));
        });
        // a version the router knows but the deployer does not (its records were lost) keeps what it has
        current.forEach((version, state) -> {
            if (!next.containsKey(version) && state.weight() > 0) {
                next.put(version, state);
            }
        });
        if (!next.equals(current)) {
            router.putState(dir.target().fence(), next);
        }
    }

    /**
     * Per version with instances, the addresses of its healthy instances (possibly none) in the given order, less
     * {@code leaving} (instances about to stop).
     */
    public static Map<String, List<String>> healthyBackends(Map<? extends RoutedInstance, Boolean> health,
                                                            Set<String> leaving) {
        Map<String, List<String>> backends = new TreeMap<>();
        health.forEach((instance, healthy) -> {
            List<String> list = backends.computeIfAbsent(instance.version(), version -> new ArrayList<>());
            if (healthy && !leaving.contains(instance.address())) {
                list.add(instance.address());
            }
        });
        return backends;
    }

    /**
     * Whether each instance is healthy: it runs (its URL is present) and {@code GET <url>} answers 2xx within the
     * health timeout. All are checked at once; the answer keeps the given order.
     */
    public <T> Map<T, Boolean> health(Map<T, Optional<URI>> healthUrls) {
        Map<T, CompletableFuture<Boolean>> checks = new LinkedHashMap<>();
        healthUrls.forEach((instance, url) -> {
            if (url.isEmpty()) {
                checks.put(instance, CompletableFuture.completedFuture(false));
                return;
            }
            HttpRequest request = HttpRequest.newBuilder(url.get())
                    .version(HttpClient.Version.HTTP_1_1)
                    .timeout(healthTimeout)
                    .GET()
                    .build();
            checks.put(instance, httpClient.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .thenApply(response -> response.statusCode() / 100 == 2)
                    .exceptionally(failure -> false)
                    // the request timeout should end it; this is the backstop should a connect hang longer
                    .completeOnTimeout(false, healthTimeout.toMillis() + 500, TimeUnit.MILLISECONDS));
        });
        Map<T, Boolean> health = new LinkedHashMap<>();
        checks.forEach((instance, check) -> health.put(instance, check.join()));
        return health;
    }

    /** How far started instances are: how many pass their health check, and whether all are healthy or gone. */
    public record Progress(int healthy, boolean settled) {
    }

    /**
     * Watches started instances and calls {@code refresh} (under the target's lock) each time more of them pass their
     * health check, so a replacement takes traffic without waiting for the controller's next setWeights. Stops once
     * all are healthy or gone, after two minutes, or as soon as another controller (a higher fence) drives the target.
     * Run it on a background thread.
     */
    public static void joinWhenHealthy(TargetDirectory dir, Supplier<Progress> progress, Runnable refresh) {
        long deadline = System.nanoTime() + SETTLE_WATCH.toNanos();
        int joined = 0;
        try {
            while (System.nanoTime() - deadline < 0) {
                Processes.sleep(SETTLE_POLL);
                Progress now = progress.get();
                if (now.healthy() > joined) {
                    joined = now.healthy();
                    boolean current = dir.exclusively(() -> {
                        if (dir.storedFence() != dir.target().fence()) {
                            return false;
                        }
                        refresh.run();
                        return true;
                    });
                    if (!current) {
                        return;
                    }
                }
                if (now.settled()) {
                    return;
                }
            }
        } catch (StaleFenceException e) {
            log.info("target {} is driven by another controller now; no longer watching its new instances",
                    dir.describe());
        } catch (RuntimeException e) {
            log.warn("cannot add the started instances of target {} to its router: {}", dir.describe(), e.getMessage());
        }
    }
}
