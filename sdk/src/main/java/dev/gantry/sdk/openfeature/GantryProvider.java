package dev.gantry.sdk.openfeature;

import static java.util.Objects.requireNonNull;

import dev.gantry.sdk.FlagContext;
import dev.gantry.sdk.FlagEvaluation;
import dev.gantry.sdk.FlagListener;
import dev.gantry.sdk.GantryFlags;
import dev.gantry.sdk.Variant;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An OpenFeature provider ({@code dev.openfeature:sdk}) over a {@link GantryFlags} client: evaluations are local, as
 * with the client itself, and values come from the served variant's payload.
 *
 * <ul>
 *   <li>The evaluation context's targeting key is the user id; its other attributes become string attributes
 *       (booleans and numbers by their text, instants in ISO-8601; structures and lists are left out). Without a
 *       targeting key, a string attribute {@code user_id} is taken as the user id.</li>
 *   <li>Reasons: {@code TARGETING_MATCH}, {@code SPLIT}, {@code DEFAULT}, {@code DISABLED}; {@code STALE} instead of
 *       these while the client has had no live stream for longer than {@code staleAfter} (the value is still the one
 *       evaluated from the last known flags); {@code ERROR} with {@code FLAG_NOT_FOUND}, {@code TYPE_MISMATCH} (the
 *       payload is not of the type asked for), {@code PARSE_ERROR} (the flag's document is invalid),
 *       {@code PROVIDER_NOT_READY} (no flags loaded yet) or {@code GENERAL}. An error returns the caller's default.</li>
 *   <li>It never throws. The variant key is reported; the flag's version is in the flag metadata as
 *       {@code version}, and under STALE the evaluation's own reason as {@code gantry_reason}.</li>
 *   <li>It emits {@code PROVIDER_CONFIGURATION_CHANGED} with the changed flag keys when the server changes flags.</li>
 * </ul>
 *
 * The application owns the client: {@link #shutdown()} detaches from it but does not close it.
 */
public final class GantryProvider extends EventProvider {
    /** The provider's name in OpenFeature's metadata. */
    public static final String NAME = "gantry";
    private static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(60);

    private final GantryFlags flags;
    private final Duration staleAfter;
    private final Duration initializeTimeout;
    private final Clock clock;
    private final FlagListener listener = this::flagsChanged;

    /** A provider that reports STALE after 60 s without a stream and waits up to 5 s for the first snapshot. */
    public GantryProvider(GantryFlags flags) {
        this(flags, DEFAULT_STALE_AFTER, Duration.ofSeconds(5));
    }

    /**
     * @param staleAfter how long without a live stream before evaluations report {@code STALE}
     * @param initializeTimeout how long {@link #initialize} waits for the server's snapshot (it does not fail when
     *     that does not come: the provider serves the local file's flags, or errors with {@code PROVIDER_NOT_READY},
     *     until it does)
     */
    public GantryProvider(GantryFlags flags, Duration staleAfter, Duration initializeTimeout) {
        this(flags, staleAfter, initializeTimeout, Clock.systemUTC());
    }

    GantryProvider(GantryFlags flags, Duration staleAfter, Duration initializeTimeout, Clock clock) {
        this.flags = requireNonNull(flags, "flags is null");
        this.staleAfter = requireNonNull(staleAfter, "staleAfter is null");
        this.initializeTimeout = requireNonNull(initializeTimeout, "initializeTimeout is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Metadata getMetadata() {
        return () -> NAME;
    }

    @Override
    public void initialize(EvaluationContext evaluationContext) throws Exception {
        flags.addListener(listener);
        flags.awaitReady(initializeTimeout);
    }

    @Override
    public void shutdown() {
        flags.removeListener(listener);
        super.shutdown();
    }

    @Override
    public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
        return evaluate(key, defaultValue, ctx, "a boolean", p -> p instanceof Boolean b ? b : null);
    }

    @Override
    public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
        return evaluate(key, defaultValue, ctx, "a string", p -> p instanceof String s ? s : null);
    }

    @Override
    public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
        return evaluate(key, defaultValue, ctx, "an integer", p -> p instanceof Long n && n == n.intValue()
                ? Integer.valueOf(n.intValue()) : null);
    }

    @Override
    public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
        return evaluate(key, defaultValue, ctx, "a number", p -> p instanceof Number n ? n.doubleValue() : null);
    }

    @Override
    public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
        return evaluate(key, defaultValue, ctx, "a value", GantryProvider::toValue);
    }

    private <T> ProviderEvaluation<T> evaluate(String key, T defaultValue, EvaluationContext ctx, String type,
            Function<Object, T> convert) {
        try {
            if (!flags.hasFlags()) {
                return error(defaultValue, ErrorCode.PROVIDER_NOT_READY,
                        "no flags loaded yet for environment " + flags.environment());
            }
            FlagEvaluation evaluation = flags.evaluate(key, toFlagContext(ctx));
            switch (evaluation.reason()) {
                case FLAG_NOT_FOUND:
                    return error(defaultValue, ErrorCode.FLAG_NOT_FOUND,
                            "flag " + key + " is not known in environment " + flags.environment());
                case INVALID_FLAG:
                    return error(defaultValue, ErrorCode.PARSE_ERROR,
                            "flag " + key + " is invalid: " + evaluation.error().orElse("unknown problem"));
                default:
                    break;
            }
            Variant variant = evaluation.variant().orElseThrow();
            T value = convert.apply(variant.payload());
            if (value == null) {
                ProviderEvaluation<T> mismatch = error(defaultValue, ErrorCode.TYPE_MISMATCH, "variant "
                        + variant.key() + " of flag " + key + " has " + describe(variant.payload()) + ", not " + type);
                mismatch.setVariant(variant.key());
                return mismatch;
            }
            String reason = evaluation.reason().name();
            ImmutableMetadata.ImmutableMetadataBuilder metadata = ImmutableMetadata.builder()
                    .addLong("version", evaluation.flagVersion());
            if (stale()) {
                metadata.addString("gantry_reason", reason);
                reason = "STALE";
            }
            return ProviderEvaluation.<T>builder()
                    .value(value)
                    .variant(variant.key())
                    .reason(reason)
                    .flagMetadata(metadata.build())
                    .build();
        } catch (RuntimeException e) {
            return error(defaultValue, ErrorCode.GENERAL, "evaluating flag " + key + " failed: " + e);
        }
    }

    private boolean stale() {
        Optional<Instant> since = flags.status().disconnectedSince();
        return since.isPresent() && Duration.between(since.get(), clock.instant()).compareTo(staleAfter) > 0;
    }

    private static <T> ProviderEvaluation<T> error(T defaultValue, ErrorCode code, String message) {
        return ProviderEvaluation.<T>builder()
                .value(defaultValue)
                .reason(Reason.ERROR.name())
                .errorCode(code)
                .errorMessage(message)
                .build();
    }

    private void flagsChanged(List<String> keys) {
        emitProviderConfigurationChanged(ProviderEventDetails.builder()
                .flagsChanged(keys)
                .message("flags changed on the Gantry server")
                .build());
    }

    /** The Gantry context of an OpenFeature evaluation context. */
    static FlagContext toFlagContext(EvaluationContext ctx) {
        if (ctx == null) {
            return FlagContext.anonymous();
        }
        String userId = ctx.getTargetingKey();
        FlagContext.Builder builder = FlagContext.builder();
        for (Map.Entry<String, Value> e : ctx.asUnmodifiableMap().entrySet()) {
            String name = e.getKey();
            if (name.equals(EvaluationContext.TARGETING_KEY)) {
                continue;
            }
            String text = attributeText(e.getValue());
            if (text == null) {
                continue;
            }
            if (name.equals("user_id")) {
                if (userId == null || userId.isEmpty()) {
                    userId = text;
                }
                continue;
            }
            builder.attribute(name, text);
        }
        return builder.userId(userId == null || userId.isEmpty() ? null : userId).build();
    }

    private static String attributeText(Value value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isString()) {
            return value.asString();
        }
        if (value.isBoolean()) {
            return value.asBoolean().toString();
        }
        if (value.isNumber()) {
            Object n = value.asObject();
            if (n instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return Long.toString(d.longValue());
            }
            return n.toString();
        }
        if (value.isInstant()) {
            return value.asInstant().toString();
        }
        return null;
    }

    /** A payload as an OpenFeature value; numbers beyond an int become doubles, as Value holds no long. */
    static Value toValue(Object payload) {
        if (payload == null) {
            return new Value();
        }
        if (payload instanceof Boolean b) {
            return new Value(b);
        }
        if (payload instanceof String s) {
            return new Value(s);
        }
        if (payload instanceof Long n) {
            return n == n.intValue() ? new Value(n.intValue()) : new Value(n.doubleValue());
        }
        if (payload instanceof BigInteger || payload instanceof Number) {
            return new Value(((Number) payload).doubleValue());
        }
        if (payload instanceof Map<?, ?> map) {
            LinkedHashMap<String, Value> fields = new LinkedHashMap<>();
            map.forEach((k, v) -> fields.put(String.valueOf(k), toValue(v)));
            return new Value(new ImmutableStructure(fields));
        }
        if (payload instanceof List<?> list) {
            List<Value> items = new ArrayList<>(list.size());
            for (Object item : list) {
                items.add(toValue(item));
            }
            return new Value(items);
        }
        throw new IllegalArgumentException("not a JSON value: " + payload.getClass().getName());
    }

    private static String describe(Object payload) {
        if (payload == null) {
            return "a null payload";
        }
        if (payload instanceof Boolean) {
            return "a boolean payload";
        }
        if (payload instanceof String) {
            return "a string payload";
        }
        if (payload instanceof Number) {
            return "a number payload";
        }
        if (payload instanceof Map) {
            return "an object payload";
        }
        return "a list payload";
    }
}
