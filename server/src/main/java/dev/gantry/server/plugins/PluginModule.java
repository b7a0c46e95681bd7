package dev.gantry.server.plugins;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;
import dev.gantry.server.persistence.PersistenceModule;
import java.net.http.HttpClient;
import java.time.Duration;

public final class PluginModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(PluginDatabases.class).in(Singleton.class);
        bind(PluginHost.class).in(Singleton.class);
        bind(PluginService.class).in(Singleton.class);
        bind(PluginChangeListener.class).in(Singleton.class);
        PersistenceModule.bindEntities(binder(), PluginEntity.class, PluginArchiveEntity.class);
        Resources.bind(binder(), PluginResource.class);
    }

    /** The one HTTP client plugins share. */
    @Provides
    @Singleton
    HttpClient httpClient() {
        // HTTP/1.1: on plain http the JDK's HTTP/2 default adds h2c upgrade headers that some receivers mishandle
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }
}
