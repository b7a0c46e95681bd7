package dev.gantry.sdk;

/** Why an evaluation served what it served (docs/flags.md, "Rules"). */
public enum Reason {
    /** A rule matched and served its variant. */
    TARGETING_MATCH,
    /** A rule matched and served one of its split's weighted variants. */
    SPLIT,
    /** No rule matched: the off variant. */
    DEFAULT,
    /** The flag is disabled in this environment: the off variant. */
    DISABLED,
    /** The flag is not in the snapshot (unknown, archived, or no snapshot yet): the caller's default. */
    FLAG_NOT_FOUND,
    /** The flag's document could not be compiled (see {@link FlagEvaluation#error()}): the caller's default. */
    INVALID_FLAG
}
