package dev.gantry.server.persistence;

import java.util.List;

/** The Hibernate entity classes of one feature package; each feature's module binds one into a set. */
public record EntityClasses(List<Class<?>> classes) {
    public static EntityClasses of(Class<?>... classes) {
        return new EntityClasses(List.of(classes));
    }
}
