package dev.gantry.server.http;

/** A JAX-RS resource class that a feature module contributes; Guice builds it, Jersey routes to it. */
public record JaxrsResource(Class<?> type) {
}
