package dev.gantry.sdk;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who a flag is evaluated for: a user id (the stickiness of percentage rollouts and splits, and the attribute
 * {@code user_id} of constraints) and named string attributes. Immutable and thread-safe: build one per user or
 * request and evaluate any number of flags with it. Building it does the work (numbers, versions and instants in the
 * attributes are parsed here, the user id is hashed here), so that an evaluation allocates nothing.
 *
 * <pre>{@code
 * FlagContext context = FlagContext.builder("u-42")
 *         .attribute("country", "DE")
 *         .attribute("app_version", "3.2.1")
 *         .build();
 * }</pre>
 */
public final class FlagContext {
    private static final FlagContext ANONYMOUS = new FlagContext(null, Map.of());

    private final String userId;
    private final AttributeValue userIdValue;
    /** The user id's UTF-8, which bucketing hashes after the flag's precomputed prefix. */
    private final byte[] userIdUtf8;
    /** murmur3 of the user id's UTF-8, counting distinct users per flag for exposure reports. */
    private final int userHash;
    private final HashMap<String, AttributeValue> attributes;
    private final Map<String, String> attributeTexts;

    private FlagContext(String userId, Map<String, String> attributes) {
        this.userId = userId;
        this.userIdValue = userId == null ? null : AttributeValue.of(userId);
        this.userIdUtf8 = userId == null ? null : userId.getBytes(StandardCharsets.UTF_8);
        this.userHash = userId == null ? 0 : Murmur3.hash(Murmur3.EMPTY, userIdUtf8);
        this.attributes = new HashMap<>(Math.max(4, attributes.size() * 2));
        LinkedHashMap<String, String> texts = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            // interned, as constraint attribute names are, so the lookup's equals is usually a reference comparison
            this.attributes.put(e.getKey().intern(), AttributeValue.of(e.getValue()));
            texts.put(e.getKey(), e.getValue());
        }
        this.attributeTexts = Collections.unmodifiableMap(texts);
    }

    /** A context with no user id and no attributes: in no partial rollout and matched by no constraint. */
    public static FlagContext anonymous() {
        return ANONYMOUS;
    }

    /** A context with a user id and no attributes. */
    public static FlagContext of(String userId) {
        return new FlagContext(requireNonNull(userId, "userId is null"), Map.of());
    }

    /** A context with a user id and string attributes. */
    public static FlagContext of(String userId, Map<String, String> attributes) {
        return builder(userId).attributes(attributes).build();
    }

    /** A builder for a context with this user id ({@code null}: none). */
    public static Builder builder(String userId) {
        return new Builder(userId);
    }

    /** A builder for a context with no user id. */
    public static Builder builder() {
        return new Builder(null);
    }

    public Optional<String> userId() {
        return Optional.ofNullable(userId);
    }

    /** The attributes as given (without the user id), in the order they were set. */
    public Map<String, String> attributes() {
        return attributeTexts;
    }

    /** A builder that starts from this context. */
    public Builder toBuilder() {
        return new Builder(userId).attributes(attributeTexts);
    }

    @Override
    public String toString() {
        return "FlagContext{userId=" + userId + ", attributes=" + attributeTexts + "}";
    }

    String rawUserId() {
        return userId;
    }

    AttributeValue userIdValue() {
        return userIdValue;
    }

    byte[] userIdUtf8() {
        return userIdUtf8;
    }

    int userHash() {
        return userHash;
    }

    /** The attribute, or null when the context lacks it; {@code user_id} is the user id. */
    AttributeValue attribute(String name) {
        return attributes.get(name);
    }

    public static final class Builder {
        private String userId;
        private final LinkedHashMap<String, String> attributes = new LinkedHashMap<>();

        private Builder(String userId) {
            this.userId = userId;
        }

        public Builder userId(String userId) {
            this.userId = userId;
            return this;
        }

        /**
         * Sets an attribute. The name {@code user_id} is the user id, set with {@link #userId(String)}; a constraint on
         * it reads the user id, so setting it here is refused.
         */
        public Builder attribute(String name, String value) {
            requireNonNull(name, "name is null");
            requireNonNull(value, "value is null");
            if (name.equals(Constraint.USER_ID)) {
                throw new IllegalArgumentException("user_id is the context's user id: set it with userId(...)");
            }
            attributes.put(name, value);
            return this;
        }

        public Builder attribute(String name, long value) {
            return attribute(name, Long.toString(value));
        }

        public Builder attribute(String name, double value) {
            return attribute(name, Double.toString(value));
        }

        public Builder attribute(String name, boolean value) {
            return attribute(name, Boolean.toString(value));
        }

        public Builder attributes(Map<String, String> values) {
            requireNonNull(values, "values is null");
            values.forEach(this::attribute);
            return this;
        }

        public Builder removeAttribute(String name) {
            attributes.remove(name);
            return this;
        }

        public FlagContext build() {
            if (userId == null && attributes.isEmpty()) {
                return ANONYMOUS;
            }
            return new FlagContext(userId, attributes);
        }
    }
}
