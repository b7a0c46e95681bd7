package dev.gantry.server.auth;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;
import dev.gantry.server.persistence.PersistenceModule;

public final class AuthModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(IdentityService.class).in(Singleton.class);
        bind(SessionService.class).in(Singleton.class);
        bind(LoginThrottle.class).in(Singleton.class);
        bind(LoginService.class).in(Singleton.class);
        bind(PasswordService.class).in(Singleton.class);
        bind(Authentication.class).in(Singleton.class);
        bind(AgentTokens.class).in(Singleton.class);
        PersistenceModule.bindEntities(binder(), UserEntity.class, ApiTokenEntity.class, SdkTokenEntity.class,
                SessionEntity.class, LoginFailureEntity.class);
        Resources.bind(binder(), UserResource.class, TokenResource.class, SessionResource.class, AgentTokenResource.class);
    }
}
