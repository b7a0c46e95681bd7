package dev.gantry.server.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.plugin.api.PluginApi;
import dev.gantry.server.plugins.PluginHost;
import dev.gantry.server.scm.ScmProviders;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gantry agent}: a build agent on another machine. It loads the builder and SCM plugins it is told to,
 * introduces itself to the server with its agent token, then leases builds over HTTP and runs them in its own
 * sandboxes or Docker engine, with its own dependency cache. It keeps nothing the server needs: a killed agent's
 * builds are queued again once their leases expire.
 */
public final class RemoteBuildAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemoteBuildAgent.class);
    /** How often a running build's lease is renewed; also how soon a cancellation reaches the agent. */
    static final Duration HEARTBEAT = Duration.ofSeconds(2);

    /** What the agent runs with; {@code plugins} are the ids of the plugin zips in {@code pluginsDir} it loads. */
    public record Options(URI server, String token, String name, Set<String> labels, int slots, Path workDir,
                          Path pluginsDir, List<String> plugins, Map<String, Map<String, String>> pluginSettings) {
    }

    private final PluginHost plugins;
    private final BuildAgent agent;

    private RemoteBuildAgent(PluginHost plugins, BuildAgent agent) {
        this.plugins = plugins;
        this.agent = agent;
    }

    /**
     * Loads the plugins, waits until the server accepts the agent (retrying while it cannot be reached), and starts
     * claiming builds.
     *
     * @throws HttpBuildCoordinator.AgentRefused when the server refuses the token
     */
    public static RemoteBuildAgent start(Options options) throws InterruptedException {
        PluginHost plugins = new PluginHost(options.workDir(), options.pluginSettings(), Clock.systemUTC(),
                HttpClient.newHttpClient(), (scope, name) -> Optional.empty(), Optional.empty(), new PrometheusRegistry());
        try {
            for (String id : options.plugins()) {
                plugins.loadAndStart(options.pluginsDir(), id);
            }
            HttpBuildCoordinator coordinator = new HttpBuildCoordinator(options.server(), options.token(), options.name(),
                    options.slots(), PluginApi.VERSION);
            Supplier<Set<String>> labels = () -> BuildModule.labels(options.labels(), plugins);
            JsonNode welcome = coordinator.hello(labels.get());
            BuildConfig config = new BuildConfig(options.slots(), options.labels(), options.slots(), options.slots(),
                    welcome.path("log_limit_bytes").asLong(10L << 20), Duration.ofMillis(welcome.path("lease_ttl_ms").asLong(30_000)),
                    welcome.path("max_attempts").asInt(3), List.of(), options.workDir().resolve("builds"),
                    options.workDir().resolve("cache"));
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, task -> {
                Thread thread = new Thread(task, "agent-timers");
                thread.setDaemon(true);
                return thread;
            });
            BuildRunner runner = new BuildRunner(coordinator, plugins, new ScmProviders(plugins), config, labels, scheduler);
            Duration heartbeat = HEARTBEAT.compareTo(config.leaseTtl().dividedBy(3)) < 0 ? HEARTBEAT : config.leaseTtl().dividedBy(3);
            BuildAgent agent = new BuildAgent(welcome.path("agent_id").asText(options.name()), labels, options.slots(),
                    coordinator, runner, heartbeat, scheduler);
            agent.start();
            log.info("Agent {} works for {} with labels {}", options.name(), options.server(), new TreeSet<>(labels.get()));
            return new RemoteBuildAgent(plugins, agent);
        } catch (RuntimeException | InterruptedException e) {
            plugins.close();
            throw e;
        }
    }

    /** Stops claiming and hands the builds running here back to the queue. */
    @Override
    public void close() {
        agent.close();
        plugins.close();
    }

}
