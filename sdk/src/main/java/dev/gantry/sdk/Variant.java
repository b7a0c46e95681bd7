package dev.gantry.sdk;

import static java.util.Objects.requireNonNull;

/**
 * A flag's variant: its key and its payload, a JSON value read into plain Java types: {@code Boolean}, {@code String},
 * {@code Long} (or {@code BigInteger} beyond a long), {@code Double}, an unmodifiable {@code List<Object>} or
 * {@code Map<String, Object>} of these, or {@code null}. A boolean flag's variants are {@code on} ({@code true}) and
 * {@code off} ({@code false}).
 */
public record Variant(String key, Object payload) {
    public Variant {
        requireNonNull(key, "key is null");
    }
}
