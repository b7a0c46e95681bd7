package dev.gantry.server.flags;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;

public final class FlagsModule extends AbstractModule {
    private final FlagsConfig config;

    public FlagsModule(FlagsConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(FlagsConfig.class).toInstance(config);
        bind(FlagProviders.class).in(Singleton.class);
        bind(FlagEvents.class).in(Singleton.class);
        bind(FlagExposures.class).in(Singleton.class);
        bind(FlagHygiene.class).in(Singleton.class);
        bind(FlagStreams.class).in(Singleton.class);
        bind(FlagService.class).in(Singleton.class);
        Resources.bind(binder(), FlagResource.class, FlagSegmentResource.class, FlagSdkResource.class);
    }
}
