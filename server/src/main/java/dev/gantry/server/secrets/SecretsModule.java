package dev.gantry.server.secrets;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.gantry.server.config.ServerConfig;
import dev.gantry.server.http.Resources;
import dev.gantry.server.persistence.PersistenceModule;

public final class SecretsModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(SecretService.class).in(Singleton.class);
        PersistenceModule.bindEntities(binder(), SecretEntity.class);
        Resources.bind(binder(), SecretResource.class);
    }

    @Provides
    @Singleton
    MasterKey masterKey(ServerConfig config) {
        return MasterKey.load(config.masterKey(), config.dataDir());
    }
}
