package dev.gantry.server.scm;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;
import dev.gantry.server.persistence.PersistenceModule;

public final class ScmModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(ScmProviders.class).in(Singleton.class);
        bind(RepositoryService.class).in(Singleton.class);
        PersistenceModule.bindEntities(binder(), RepositoryEntity.class);
        Resources.bind(binder(), RepositoryResource.class, WebhookResource.class);
    }
}
