package dev.gantry.server.persistence;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import dev.gantry.server.config.ServerConfig;
import java.util.Set;

public final class PersistenceModule extends AbstractModule {
    private final DatabaseConfig config;

    public PersistenceModule(DatabaseConfig config) {
        this.config = config;
    }

    /** How a feature module contributes its (package-private) entity classes. */
    public static void bindEntities(Binder binder, Class<?>... classes) {
        Multibinder.newSetBinder(binder, EntityClasses.class).addBinding().toInstance(EntityClasses.of(classes));
    }

    @Override
    protected void configure() {
        bind(DatabaseConfig.class).toInstance(config);
        Multibinder.newSetBinder(binder(), EntityClasses.class);
        bind(Notifications.class).in(Singleton.class);
        bind(Replica.class).toInstance(Replica.create());
    }

    @Provides
    @Singleton
    Database database(DatabaseConfig config, ServerConfig server, Set<EntityClasses> entities, Replica replica) {
        return new Database(config, server.dataDir(), entities, replica);
    }
}
