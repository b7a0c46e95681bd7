package dev.gantry.server.build;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.gantry.server.artifact.ArtifactService;
import dev.gantry.server.http.Resources;
import dev.gantry.server.notify.NotificationService;
import dev.gantry.server.persistence.Notifications;
import dev.gantry.server.plugins.PluginHost;
import dev.gantry.server.scm.PushHandler;
import dev.gantry.server.scm.RepositoryService;
import dev.gantry.server.scm.ScmProviders;
import dev.gantry.server.secrets.SecretService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

public final class BuildModule extends AbstractModule {
    private final BuildConfig config;

    public BuildModule(BuildConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(BuildConfig.class).toInstance(config);
        bind(BuildQueue.class).in(Singleton.class);
        bind(BuildService.class).in(Singleton.class);
        bind(BuildEvents.class).in(Singleton.class);
        bind(PushHandler.class).to(BuildPushHandler.class);
        bind(BuildPushHandler.class).in(Singleton.class);
        Resources.bind(binder(), BuildResource.class);
    }

    @Provides
    @Singleton
    LocalBuildAgent agent(BuildQueue queue, BuildService builds, RepositoryService repositories, ScmProviders scm,
                          PluginHost plugins, ArtifactService artifacts, SecretService secrets,
                          NotificationService notifications, Notifications feed, BuildPassedListener passed) {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "build-timers");
            thread.setDaemon(true);
            return thread;
        });
        BuildRunner runner = new BuildRunner(queue, builds, repositories, scm, plugins, artifacts, secrets, notifications,
                config, scheduler, new ConcurrentHashMap<>(), passed);
        return new LocalBuildAgent(queue, runner, feed, config, scheduler);
    }
}
