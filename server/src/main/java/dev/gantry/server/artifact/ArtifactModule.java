package dev.gantry.server.artifact;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;
import dev.gantry.server.persistence.PersistenceModule;

public final class ArtifactModule extends AbstractModule {
    private final ArtifactConfig config;

    public ArtifactModule(ArtifactConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(ArtifactConfig.class).toInstance(config);
        bind(ArtifactStores.class).in(Singleton.class);
        bind(DownloadSigner.class).in(Singleton.class);
        bind(ArtifactService.class).in(Singleton.class);
        bind(ArtifactRetention.class).in(Singleton.class);
        PersistenceModule.bindEntities(binder(), ArtifactEntity.class, ArtifactProvenanceEntity.class, ArtifactPinEntity.class);
        Resources.bind(binder(), ArtifactResource.class);
    }
}
