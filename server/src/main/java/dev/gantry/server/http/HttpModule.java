package dev.gantry.server.http;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;

public final class HttpModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(Readiness.class).in(Singleton.class);
        bind(ServerMetrics.class).in(Singleton.class);
        bind(HttpServer.class).in(Singleton.class);
        Resources.bind(binder(), HealthResource.class, MetricsResource.class, WebappResource.class);
    }
}
