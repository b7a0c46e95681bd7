package dev.gantry.server.auth;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;
import dev.gantry.server.persistence.PersistenceModule;

public final class AuthModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(IdentityService.class).in(Singleton.class);
        PersistenceModule.bindEntities(binder(), UserEntity.class, ApiTokenEntity.class, SdkTokenEntity.class);
        Resources.bind(binder(), UserResource.class, TokenResource.class);
    }
}
