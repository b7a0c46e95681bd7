package dev.gantry.server.notify;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.gantry.server.http.Resources;

public final class NotifyModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(NotificationService.class).in(Singleton.class);
        Resources.bind(binder(), NotificationResource.class);
    }
}
