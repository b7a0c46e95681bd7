package dev.gantry.sdk;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One compiled constraint (docs/flags.md, "Rules"): the operator as a number for a switch, its values prepared once
 * (a hash set for long {@code in} lists, {@code values[0]} parsed as a number, version or instant).
 */
final class Constraint {
    static final String USER_ID = "user_id";

    private static final int IN = 0;
    private static final int NOT_IN = 1;
    private static final int STR_CONTAINS = 2;
    private static final int STR_STARTS_WITH = 3;
    private static final int STR_ENDS_WITH = 4;
    private static final int NUM_EQ = 5;
    private static final int NUM_GT = 6;
    private static final int NUM_GTE = 7;
    private static final int NUM_LT = 8;
    private static final int NUM_LTE = 9;
    private static final int SEMVER_EQ = 10;
    private static final int SEMVER_GT = 11;
    private static final int SEMVER_GTE = 12;
    private static final int SEMVER_LT = 13;
    private static final int SEMVER_LTE = 14;
    private static final int DATE_AFTER = 15;
    private static final int DATE_BEFORE = 16;
    /** An operator this SDK does not know, or a {@code values[0]} that does not parse: holds for no one. */
    private static final int NEVER = 17;

    private static final List<String> OPERATORS = List.of("in", "not_in", "str_contains", "str_starts_with",
            "str_ends_with", "num_eq", "num_gt", "num_gte", "num_lt", "num_lte", "semver_eq", "semver_gt", "semver_gte",
            "semver_lt", "semver_lte", "date_after", "date_before");

    /** Above this many values, {@code in} and {@code not_in} look up a hash set instead of scanning. */
    private static final int SCAN_LIMIT = 8;

    private final String attribute;
    private final boolean onUserId;
    private final int operator;
    private final boolean negate;
    private final String[] values;
    private final Set<String> valueSet;
    private final double number;
    private final Semver semver;
    private final Instant instant;
    /** Why the constraint holds for no one, when the compiler should say so. */
    final String problem;

    private Constraint(String attribute, int operator, boolean negate, String[] values, String problem) {
        // interned, as context attribute names are, so the lookup's equals is usually a reference comparison
        this.attribute = attribute.intern();
        this.onUserId = attribute.equals(USER_ID);
        this.negate = negate;
        this.values = values;
        this.valueSet = values.length > SCAN_LIMIT ? new HashSet<>(List.of(values)) : null;
        AttributeValue first = values.length > 0 ? AttributeValue.of(values[0]) : null;
        int op = operator;
        String why = problem;
        if (op >= NUM_EQ && op <= NUM_LTE && (first == null || !first.isNumber)) {
            why = "operator " + OPERATORS.get(op) + " needs a number as its first value";
            op = NEVER;
        } else if (op >= SEMVER_EQ && op <= SEMVER_LTE && (first == null || first.semver == null)) {
            why = "operator " + OPERATORS.get(op) + " needs a semantic version as its first value";
            op = NEVER;
        } else if ((op == DATE_AFTER || op == DATE_BEFORE) && (first == null || first.instant == null)) {
            why = "operator " + OPERATORS.get(op) + " needs an ISO-8601 instant as its first value";
            op = NEVER;
        }
        this.operator = op;
        this.number = first != null && first.isNumber ? first.number : Double.NaN;
        this.semver = first != null ? first.semver : null;
        this.instant = first != null ? first.instant : null;
        this.problem = why;
    }

    /** A constraint; an unknown operator makes one that holds for no one (and says why in {@link #problem}). */
    static Constraint of(String attribute, String operator, List<String> values, boolean negate) {
        int op = OPERATORS.indexOf(operator);
        String problem = op < 0 ? "unknown operator " + operator : null;
        return new Constraint(attribute, op < 0 ? NEVER : op, negate, values.toArray(new String[0]), problem);
    }

    /**
     * Whether the context satisfies the constraint. A missing attribute, or one that does not read as the operator's
     * type, makes it false whatever {@code negate} says, so neither ever lets a user in.
     */
    boolean holds(FlagContext context) {
        AttributeValue value = onUserId ? context.userIdValue() : context.attribute(attribute);
        if (value == null) {
            return false;
        }
        switch (operator) {
            case IN:
                return contains(value.text) != negate;
            case NOT_IN:
                return !contains(value.text) != negate;
            case STR_CONTAINS:
                for (int i = 0; i < values.length; i++) {
                    if (value.text.contains(values[i])) {
                        return !negate;
                    }
                }
                return negate;
            case STR_STARTS_WITH:
                for (int i = 0; i < values.length; i++) {
                    if (value.text.startsWith(values[i])) {
                        return !negate;
                    }
                }
                return negate;
            case STR_ENDS_WITH:
                for (int i = 0; i < values.length; i++) {
                    if (value.text.endsWith(values[i])) {
                        return !negate;
                    }
                }
                return negate;
            case NUM_EQ:
                return value.isNumber && (value.number == number) != negate;
            case NUM_GT:
                return value.isNumber && (value.number > number) != negate;
            case NUM_GTE:
                return value.isNumber && (value.number >= number) != negate;
            case NUM_LT:
                return value.isNumber && (value.number < number) != negate;
            case NUM_LTE:
                return value.isNumber && (value.number <= number) != negate;
            case SEMVER_EQ:
                return value.semver != null && (value.semver.compareTo(semver) == 0) != negate;
            case SEMVER_GT:
                return value.semver != null && (value.semver.compareTo(semver) > 0) != negate;
            case SEMVER_GTE:
                return value.semver != null && (value.semver.compareTo(semver) >= 0) != negate;
            case SEMVER_LT:
                return value.semver != null && (value.semver.compareTo(semver) < 0) != negate;
            case SEMVER_LTE:
                return value.semver != null && (value.semver.compareTo(semver) <= 0) != negate;
            case DATE_AFTER:
                return value.instant != null && value.instant.isAfter(instant) != negate;
            case DATE_BEFORE:
                return value.instant != null && value.instant.isBefore(instant) != negate;
            default:
                return false;
        }
    }

    private boolean contains(String text) {
        if (valueSet != null) {
            return valueSet.contains(text);
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i].equals(text)) {
                return true;
            }
        }
        return false;
    }
}
