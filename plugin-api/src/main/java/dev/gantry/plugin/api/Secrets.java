package dev.gantry.plugin.api;

import java.util.Optional;

/** Read access to secrets. Values are decrypted on each call and must never be logged. */
public interface Secrets {
    /**
     * The secret {@code name} in {@code scope}, e.g. scope {@code repo:acme/shop} or {@code environment:production}.
     */
    Optional<String> get(String scope, String name);
}
