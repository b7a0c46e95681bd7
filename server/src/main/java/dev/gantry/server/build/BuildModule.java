package dev.gantry.server.build;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.gantry.plugin.api.build.Builder;
import dev.gantry.server.http.Resources;
import dev.gantry.server.persistence.Ids;
import dev.gantry.server.persistence.Notifications;
import dev.gantry.server.plugins.PluginHost;
import dev.gantry.server.scm.PushHandler;
import dev.gantry.server.scm.ScmProviders;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

public final class BuildModule extends AbstractModule {
    private final BuildConfig config;

    public BuildModule(BuildConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(BuildConfig.class).toInstance(config);
        bind(BuildQueue.class).in(Singleton.class);
        bind(ServerBuildCoordinator.class).in(Singleton.class);
        bind(AgentRegistry.class).in(Singleton.class);
        bind(BuildService.class).in(Singleton.class);
        bind(BuildEvents.class).in(Singleton.class);
        bind(PushHandler.class).to(BuildPushHandler.class);
        bind(BuildPushHandler.class).in(Singleton.class);
        Resources.bind(binder(), BuildResource.class, AgentResource.class, AgentsResource.class);
    }

    @Provides
    @Singleton
    LocalBuildAgent agent(BuildQueue queue, ServerBuildCoordinator coordinator, PluginHost plugins, ScmProviders scm,
                          Notifications feed) {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "build-timers");
            thread.setDaemon(true);
            return thread;
        });
        Optional<BuildAgent> agent = Optional.empty();
        if (config.agentSlots() > 0) {
            Supplier<Set<String>> labels = () -> labels(config.agentLabels(), plugins);
            BuildRunner runner = new BuildRunner(coordinator, plugins, scm, config, labels, scheduler);
            agent = Optional.of(new BuildAgent("local-" + Ids.newId(), labels, config.agentSlots(), coordinator, runner,
                    config.leaseTtl().dividedBy(3), scheduler));
        }
        return new LocalBuildAgent(agent, queue, feed, config, scheduler);
    }

    /** An agent's labels: the configured ones and the kind of every builder its started plugins provide. */
    static Set<String> labels(Set<String> configured, PluginHost plugins) {
        Set<String> labels = new TreeSet<>(configured);
        plugins.extensions(Builder.class).forEach(builder -> labels.add(builder.instance().kind()));
        return labels;
    }
}
