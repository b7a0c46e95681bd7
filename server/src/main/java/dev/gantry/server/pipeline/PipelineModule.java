package dev.gantry.server.pipeline;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;

public final class PipelineModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(PipelineSchema.class).in(Singleton.class);
        Resources.bind(binder(), PipelineResource.class);
    }
}
