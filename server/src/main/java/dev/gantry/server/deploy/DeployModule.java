package dev.gantry.server.deploy;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.build.BuildPassedListener;
import dev.gantry.server.http.Resources;

public final class DeployModule extends AbstractModule {
    private final DeployConfig config;

    public DeployModule(DeployConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(DeployConfig.class).toInstance(config);
        bind(DeployStore.class).in(Singleton.class);
        bind(DeployCatalog.class).in(Singleton.class);
        bind(DeployTargets.class).in(Singleton.class);
        bind(DeployService.class).in(Singleton.class);
        bind(DeployController.class).in(Singleton.class);
        bind(AnalysisReports.class).in(Singleton.class);
        bind(CanaryJudge.class).in(Singleton.class);
        bind(AutoDeploy.class).in(Singleton.class);
        bind(Trains.class).in(Singleton.class);
        bind(BuildPassedListener.class).to(AutoDeploy.class);
        Resources.bind(binder(), DeployResource.class, ServiceResource.class, EnvironmentResource.class, TrainResource.class,
                HealthWebhookResource.class);
    }
}
