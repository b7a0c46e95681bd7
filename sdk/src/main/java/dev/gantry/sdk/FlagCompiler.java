package dev.gantry.sdk;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Compiles a flag in one environment ({@code {"key", "type", "version", "enabled", "variants", "off_variant",
 * "rules"}}, docs/flags.md) into a {@link CompiledFlag}. A document that breaks the contract (an unknown variant
 * served, split weights that do not sum to 100, a rollout outside 0–100, …) compiles into a flag whose every
 * evaluation gets the caller's default with reason {@link Reason#INVALID_FLAG}; things a newer server might send
 * (an unknown operator) or that may arrive later (a segment not yet known) make the constraint or the rule match no
 * one, and are reported through {@code warnings}.
 */
final class FlagCompiler {
    private static final List<Object> DEFAULT_VARIANTS = List.of(
            Map.of("key", "on", "payload", Boolean.TRUE), Map.of("key", "off", "payload", Boolean.FALSE));

    private FlagCompiler() {
    }

    /** The compiled segments ({@code {"key", "constraints"}}) by key. */
    static Map<String, Constraint[]> segments(Iterable<Map<String, Object>> documents, Consumer<String> warnings) {
        HashMap<String, Constraint[]> segments = new HashMap<>();
        for (Map<String, Object> doc : documents) {
            String key = String.valueOf(doc.get("key"));
            try {
                segments.put(key, constraints(doc.get("constraints"), "segment " + key, warnings));
            } catch (IllegalArgumentException e) {
                // a broken segment matches no one: an empty array would match everyone, so leave it out
                warnings.accept("segment " + key + " ignored: " + e.getMessage());
            }
        }
        return segments;
    }

    static CompiledFlag compile(Map<String, Object> doc, Map<String, Constraint[]> segments,
            Function<String, ExposureCounter> exposures, Consumer<String> warnings) {
        String key = Json.string(doc, "key", "flag");
        long version = doc.get("version") instanceof Number n ? n.longValue() : 0;
        try {
            return compile(key, version, doc, segments, exposures, warnings);
        } catch (IllegalArgumentException e) {
            warnings.accept("flag " + key + " is invalid, callers get their defaults: " + e.getMessage());
            return new CompiledFlag(key, version, e.getMessage());
        }
    }

    private static CompiledFlag compile(String key, long version, Map<String, Object> doc,
            Map<String, Constraint[]> segments, Function<String, ExposureCounter> exposures,
            Consumer<String> warnings) {
        Object enabledValue = doc.get("enabled");
        if (enabledValue != null && !(enabledValue instanceof Boolean)) {
            throw new IllegalArgumentException("enabled is not a boolean");
        }
        boolean enabled = Boolean.TRUE.equals(enabledValue);

        List<Object> variantDocs = doc.get("variants") == null ? DEFAULT_VARIANTS
                : Json.array(doc.get("variants"), "variants");
        if (variantDocs.isEmpty()) {
            throw new IllegalArgumentException("variants is empty");
        }
        Variant[] variants = new Variant[variantDocs.size()];
        HashMap<String, Integer> index = new HashMap<>();
        for (int i = 0; i < variants.length; i++) {
            Map<String, Object> v = Json.object(variantDocs.get(i), "variants[" + i + "]");
            String variantKey = Json.string(v, "key", "variants[" + i + "]");
            if (index.put(variantKey, i) != null) {
                throw new IllegalArgumentException("variant " + variantKey + " is listed twice");
            }
            variants[i] = new Variant(variantKey, v.get("payload"));
        }
        String offKey = doc.get("off_variant") == null ? "off" : Json.string(doc, "off_variant", "flag");
        Integer off = index.get(offKey);
        if (off == null) {
            throw new IllegalArgumentException("off_variant " + offKey + " is not one of the variants");
        }

        List<Object> ruleDocs = doc.get("rules") == null ? List.of() : Json.array(doc.get("rules"), "rules");
        ArrayList<CompiledFlag.Rule> rules = new ArrayList<>();
        for (int r = 0; r < ruleDocs.size(); r++) {
            String where = "rules[" + r + "]";
            Map<String, Object> rule = Json.object(ruleDocs.get(r), where);
            Constraint[] constraints = constraints(rule.get("constraints"), "flag " + key + " " + where, warnings);

            List<Object> segmentKeys = rule.get("segments") == null ? List.of()
                    : Json.array(rule.get("segments"), where + ".segments");
            Constraint[][] ruleSegments = new Constraint[segmentKeys.size()][];
            boolean unknownSegment = false;
            for (int s = 0; s < ruleSegments.length; s++) {
                Object segmentKey = segmentKeys.get(s);
                if (!(segmentKey instanceof String)) {
                    throw new IllegalArgumentException(where + ".segments[" + s + "] is not a string");
                }
                ruleSegments[s] = segments.get(segmentKey);
                if (ruleSegments[s] == null) {
                    warnings.accept("flag " + key + " " + where + " lists segment " + segmentKey
                            + ", which is not known: the rule matches no one until it is");
                    unknownSegment = true;
                }
            }

            int threshold = threshold(rule.get("rollout"), where);

            Map<String, Object> serve = Json.object(rule.get("serve"), where + ".serve");
            int variant = -1;
            int[] splitVariants = new int[0];
            int[] cumulative = new int[0];
            if (serve.get("variant") != null) {
                variant = variantIndex(index, Json.string(serve, "variant", where + ".serve"), where);
            } else if (serve.get("split") != null) {
                List<Object> split = Json.array(serve.get("split"), where + ".serve.split");
                splitVariants = new int[split.size()];
                cumulative = new int[split.size()];
                int total = 0;
                for (int i = 0; i < split.size(); i++) {
                    String at = where + ".serve.split[" + i + "]";
                    Map<String, Object> part = Json.object(split.get(i), at);
                    splitVariants[i] = variantIndex(index, Json.string(part, "variant", at), where);
                    if (!(part.get("weight") instanceof Long weight) || weight < 0 || weight > 100) {
                        throw new IllegalArgumentException(at + ".weight is not an integer from 0 to 100");
                    }
                    total += (int) (long) weight;
                    cumulative[i] = total;
                }
                if (total != 100) {
                    throw new IllegalArgumentException(where + ".serve.split weights sum to " + total + ", not 100");
                }
            } else {
                throw new IllegalArgumentException(where + ".serve has neither variant nor split");
            }
            if (!unknownSegment) {
                rules.add(new CompiledFlag.Rule(constraints, ruleSegments, threshold, variant, splitVariants,
                        cumulative));
            }
        }
        ExposureCounter counter = exposures == null ? null : exposures.apply(key);
        return new CompiledFlag(key, version, enabled, variants, off, rules.toArray(new CompiledFlag.Rule[0]),
                counter);
    }

    /** {@code rollout} (0–100, up to two decimals, default 100) in hundredths of a percent. */
    private static int threshold(Object rollout, String where) {
        if (rollout == null) {
            return CompiledFlag.FULL;
        }
        if (!(rollout instanceof Number n)) {
            throw new IllegalArgumentException(where + ".rollout is not a number");
        }
        BigDecimal percent = new BigDecimal(n.toString());
        if (percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw new IllegalArgumentException(where + ".rollout " + n + " is not from 0 to 100");
        }
        BigDecimal hundredths = percent.movePointRight(2);
        if (hundredths.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(where + ".rollout " + n + " has more than two decimals");
        }
        return hundredths.intValueExact();
    }

    private static int variantIndex(Map<String, Integer> index, String variantKey, String where) {
        Integer i = index.get(variantKey);
        if (i == null) {
            throw new IllegalArgumentException(where + " serves variant " + variantKey
                    + ", which is not one of the variants");
        }
        return i;
    }

    private static Constraint[] constraints(Object value, String where, Consumer<String> warnings) {
        if (value == null) {
            return new Constraint[0];
        }
        List<Object> docs = Json.array(value, where + " constraints");
        Constraint[] constraints = new Constraint[docs.size()];
        for (int i = 0; i < constraints.length; i++) {
            String at = where + " constraints[" + i + "]";
            Map<String, Object> doc = Json.object(docs.get(i), at);
            String attribute = Json.string(doc, "attribute", at);
            String operator = Json.string(doc, "operator", at);
            List<Object> rawValues = doc.get("values") == null ? List.of() : Json.array(doc.get("values"), at + ".values");
            List<String> values = new ArrayList<>(rawValues.size());
            for (Object v : rawValues) {
                if (v == null || v instanceof Map || v instanceof List) {
                    throw new IllegalArgumentException(at + ".values holds a value that is not a string");
                }
                // numbers and booleans are taken by their JSON text
                values.add(v instanceof Double d ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString()
                        : String.valueOf(v));
            }
            Object negate = doc.get("negate");
            if (negate != null && !(negate instanceof Boolean)) {
                throw new IllegalArgumentException(at + ".negate is not a boolean");
            }
            constraints[i] = Constraint.of(attribute, operator, values, Boolean.TRUE.equals(negate));
            if (constraints[i].problem != null) {
                warnings.accept(at + " holds for no one: " + constraints[i].problem);
            }
        }
        return constraints;
    }
}
