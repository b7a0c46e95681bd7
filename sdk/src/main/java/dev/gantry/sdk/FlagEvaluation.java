package dev.gantry.sdk;

import java.util.Optional;

/**
 * The outcome of evaluating one flag for one context: the variant served (none when the caller's default applies),
 * whether it counts as enabled, the reason, and the flag's version. Evaluations are made once per flag, variant and
 * reason when a snapshot is loaded and handed out as they are, so getting one allocates nothing.
 */
public final class FlagEvaluation {
    static final FlagEvaluation NOT_FOUND = new FlagEvaluation(null, -1, false, Reason.FLAG_NOT_FOUND, 0, null);

    private final Optional<Variant> variant;
    private final int variantIndex;
    private final boolean enabled;
    private final Reason reason;
    private final long flagVersion;
    private final Optional<String> error;

    FlagEvaluation(Variant variant, int variantIndex, boolean enabled, Reason reason, long flagVersion, String error) {
        this.variant = Optional.ofNullable(variant);
        this.variantIndex = variantIndex;
        this.enabled = enabled;
        this.reason = reason;
        this.flagVersion = flagVersion;
        this.error = Optional.ofNullable(error);
    }

    /** The variant served; empty when the caller's default applies ({@link Reason#FLAG_NOT_FOUND}, {@link Reason#INVALID_FLAG}). */
    public Optional<Variant> variant() {
        return variant;
    }

    /**
     * Whether the variant served means "on": its payload when that is a boolean, otherwise whether it is not the
     * flag's off variant. False when no variant is served.
     */
    public boolean enabled() {
        return enabled;
    }

    public Reason reason() {
        return reason;
    }

    /** The flag's version ({@code version} in its document); 0 when the flag was not found. */
    public long flagVersion() {
        return flagVersion;
    }

    /** What is wrong with the flag's document, for {@link Reason#INVALID_FLAG}. */
    public Optional<String> error() {
        return error;
    }

    int variantIndex() {
        return variantIndex;
    }

    @Override
    public String toString() {
        return "FlagEvaluation{variant=" + variant.map(Variant::key).orElse("-") + ", enabled=" + enabled + ", reason="
                + reason + ", version=" + flagVersion + error.map(e -> ", error=" + e).orElse("") + "}";
    }
}
