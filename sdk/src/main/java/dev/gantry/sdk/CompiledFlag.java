package dev.gantry.sdk;

import java.util.concurrent.atomic.LongAdder;

/**
 * One flag in one environment, compiled for evaluation (docs/flags.md, "Rules" and "Bucketing"). Immutable; every
 * outcome it can return is made here, and the murmur3 state of the constant {@code flagKey + ":"} and
 * {@code flagKey + ":variant:"} prefixes is precomputed, so {@link #evaluate} allocates nothing.
 */
final class CompiledFlag {
    /** {@code rollout} × 100 at or above which a rule needs no bucket (100 %). */
    static final int FULL = 10_000;

    static final class Rule {
        final Constraint[] constraints;
        /** Each listed segment's constraints; a rule that lists an unknown segment is never compiled into one. */
        final Constraint[][] segments;
        /** {@code rollout} in hundredths of a percent, 0–10,000. */
        final int threshold;
        /** The variant served, or -1 for a split. */
        final int variant;
        final int[] splitVariants;
        /** Cumulative split weights: split variant i is chosen when the bucket is below cumulative[i]. */
        final int[] cumulative;

        Rule(Constraint[] constraints, Constraint[][] segments, int threshold, int variant, int[] splitVariants,
                int[] cumulative) {
            this.constraints = constraints;
            this.segments = segments;
            this.threshold = threshold;
            this.variant = variant;
            this.splitVariants = splitVariants;
            this.cumulative = cumulative;
        }

        boolean constraintsHold(FlagContext context) {
            Constraint[] own = constraints;
            for (int i = 0; i < own.length; i++) {
                if (!own[i].holds(context)) {
                    return false;
                }
            }
            Constraint[][] segs = segments;
            for (int s = 0; s < segs.length; s++) {
                Constraint[] segment = segs[s];
                for (int i = 0; i < segment.length; i++) {
                    if (!segment[i].holds(context)) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    final String key;
    final long version;
    private final boolean enabled;
    private final int offVariant;
    private final Rule[] rules;
    private final Murmur3.Prefix bucketPrefix;
    private final Murmur3.Prefix splitPrefix;
    /** Outcomes by variant index × 4 + reason (TARGETING_MATCH, SPLIT, DEFAULT, DISABLED). */
    private final FlagEvaluation[] outcomes;
    /** Set when the document could not be compiled: every evaluation returns it. */
    private final FlagEvaluation invalid;
    /** Per variant index; null when exposures are not counted. */
    private final LongAdder[] variantCounters;
    private final ExposureCounter exposures;

    CompiledFlag(String key, long version, boolean enabled, Variant[] variants, int offVariant, Rule[] rules,
            ExposureCounter exposures) {
        this.key = key;
        this.version = version;
        this.enabled = enabled;
        this.offVariant = offVariant;
        this.rules = rules;
        this.bucketPrefix = Murmur3.prefix(key + ":");
        this.splitPrefix = Murmur3.prefix(key + ":variant:");
        this.outcomes = new FlagEvaluation[variants.length * 4];
        String offKey = variants[offVariant].key();
        for (int v = 0; v < variants.length; v++) {
            Variant variant = variants[v];
            boolean on = variant.payload() instanceof Boolean b ? b : !variant.key().equals(offKey);
            outcomes[v * 4] = new FlagEvaluation(variant, v, on, Reason.TARGETING_MATCH, version, null);
            outcomes[v * 4 + 1] = new FlagEvaluation(variant, v, on, Reason.SPLIT, version, null);
            outcomes[v * 4 + 2] = new FlagEvaluation(variant, v, on, Reason.DEFAULT, version, null);
            outcomes[v * 4 + 3] = new FlagEvaluation(variant, v, on, Reason.DISABLED, version, null);
        }
        this.invalid = null;
        this.exposures = exposures;
        if (exposures != null) {
            variantCounters = new LongAdder[variants.length];
            for (int v = 0; v < variants.length; v++) {
                variantCounters[v] = exposures.variant(variants[v].key());
            }
        } else {
            variantCounters = null;
        }
    }

    /** A flag whose document is wrong: every evaluation gets the caller's default, with the reason. */
    CompiledFlag(String key, long version, String error) {
        this.key = key;
        this.version = version;
        this.enabled = false;
        this.offVariant = -1;
        this.rules = new Rule[0];
        this.bucketPrefix = null;
        this.splitPrefix = null;
        this.outcomes = new FlagEvaluation[0];
        this.invalid = new FlagEvaluation(null, -1, false, Reason.INVALID_FLAG, version, error);
        this.variantCounters = null;
        this.exposures = null;
    }

    FlagEvaluation evaluate(FlagContext context) {
        if (invalid != null) {
            return invalid;
        }
        if (!enabled) {
            return outcomes[offVariant * 4 + 3];
        }
        byte[] userId = context.userIdUtf8();
        int bucket = -1;
        Rule[] all = rules;
        for (int r = 0; r < all.length; r++) {
            Rule rule = all[r];
            if (!rule.constraintsHold(context)) {
                continue;
            }
            if (rule.threshold < FULL) {
                if (userId == null) {
                    continue;
                }
                if (bucket < 0) {
                    bucket = Integer.remainderUnsigned(Murmur3.hash(bucketPrefix, userId), FULL);
                }
                if (bucket >= rule.threshold) {
                    continue;
                }
            }
            if (rule.variant >= 0) {
                return outcomes[rule.variant * 4];
            }
            if (userId == null) {
                continue;
            }
            int splitBucket = Integer.remainderUnsigned(Murmur3.hash(splitPrefix, userId), 100);
            int[] cumulative = rule.cumulative;
            for (int i = 0; i < cumulative.length; i++) {
                if (splitBucket < cumulative[i]) {
                    return outcomes[rule.splitVariants[i] * 4 + 1];
                }
            }
        }
        return outcomes[offVariant * 4 + 2];
    }

    /** Counts the evaluation for the exposure report. */
    void record(FlagEvaluation evaluation, FlagContext context) {
        LongAdder[] counters = variantCounters;
        int v = evaluation.variantIndex();
        if (counters == null || v < 0) {
            return;
        }
        counters[v].increment();
        if (context.rawUserId() != null) {
            exposures.user(context.userHash());
        }
    }
}
