package dev.gantry.server.http;

import com.google.inject.Binder;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;

/** How a feature module contributes its JAX-RS resources. */
public final class Resources {
    private Resources() {
    }

    public static void bind(Binder binder, Class<?>... types) {
        Multibinder<JaxrsResource> resources = Multibinder.newSetBinder(binder, JaxrsResource.class);
        for (Class<?> type : types) {
            binder.bind(type).in(Singleton.class);
            resources.addBinding().toInstance(new JaxrsResource(type));
        }
    }
}
