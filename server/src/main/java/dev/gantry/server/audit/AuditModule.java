package dev.gantry.server.audit;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;
import dev.gantry.server.persistence.PersistenceModule;

public final class AuditModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(AuditService.class).in(Singleton.class);
        PersistenceModule.bindEntities(binder(), AuditEntity.class);
        Resources.bind(binder(), AuditResource.class);
    }
}
