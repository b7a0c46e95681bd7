package dev.gantry.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.server.http.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every rule docs/flags.md sets for a flag document, a segment and the SDKs' exposure reports, checked in one place.
 * Each problem names its JSON path (e.g. {@code environments.production.rules[2].rollout}) and what is allowed; a
 * request with problems is refused as a whole with 400 {@code invalid_field}, the first problem in {@code message}
 * and {@code details.field}, all of them in {@code details.problems}. What passes comes back in canonical form:
 * defaults filled in, fields in the documented order, nothing unknown.
 */
final class FlagValidation {
    static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    static final Pattern VARIANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    static final Set<String> TYPES = Set.of("release", "experiment", "ops", "kill_switch");
    static final List<String> OPERATORS = List.of("in", "not_in", "str_contains", "str_starts_with", "str_ends_with",
            "num_eq", "num_gt", "num_gte", "num_lt", "num_lte", "semver_eq", "semver_gt", "semver_gte", "semver_lt",
            "semver_lte", "date_after", "date_before");
    static final int MAX_ENVIRONMENTS = 50;
    static final int MAX_VARIANTS = 50;
    static final int MAX_RULES = 100;
    static final int MAX_CONSTRAINTS = 50;
    static final int MAX_SEGMENTS_PER_RULE = 20;
    static final int MAX_VALUES = 1000;
    static final int MAX_TEXT = 1000;
    static final int MAX_EXPOSURE_FLAGS = 1000;
    static final int MAX_DOCUMENT = 1024 * 1024;
    private static final int MAX_REPORTED = 50;

    /** Fields the API returns that a client may send back unchanged (a GET, edited, then PUT); they are ignored. */
    private static final Set<String> READ_ONLY_FLAG_FIELDS = Set.of("flag_id", "version", "archived", "stale", "created_at", "updated_at");
    private static final Set<String> FLAG_FIELDS = Set.of("key", "description", "owner", "type", "environments");
    private static final Set<String> SHORTHAND_FIELDS = Set.of("name", "rollout_percentage", "target_users", "description",
            "owner", "type", "environment");
    private static final Set<String> ENVIRONMENT_FIELDS = Set.of("enabled", "variants", "off_variant", "rules");
    private static final Set<String> VARIANT_FIELDS = Set.of("key", "payload");
    private static final Set<String> RULE_FIELDS = Set.of("description", "constraints", "segments", "rollout", "serve");
    private static final Set<String> SERVE_FIELDS = Set.of("variant", "split");
    private static final Set<String> SPLIT_FIELDS = Set.of("variant", "weight");
    private static final Set<String> CONSTRAINT_FIELDS = Set.of("attribute", "operator", "values", "negate");
    private static final Set<String> SEGMENT_FIELDS = Set.of("key", "description", "constraints");
    private static final Set<String> READ_ONLY_SEGMENT_FIELDS = Set.of("version", "created_at", "updated_at");
    private static final Set<String> EXPOSURE_FIELDS = Set.of("environment", "flags");
    private static final Set<String> EXPOSURE_FLAG_FIELDS = Set.of("key", "variants", "users");
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(-(0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)(\\.(0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
                    + "(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private FlagValidation() {
    }

    /** One thing wrong with a request, at {@code field} (a JSON path; empty for the body itself). */
    record Problem(String field, String message) {
    }

    private static final class Problems {
        private final List<Problem> list = new ArrayList<>();

        void add(String field, String message) {
            list.add(new Problem(field, message));
        }

        boolean isEmpty() {
            return list.isEmpty();
        }

        void throwIfAny() {
            if (list.isEmpty()) {
                return;
            }
            Problem first = list.get(0);
            List<Map<String, String>> reported = list.stream().limit(MAX_REPORTED)
                    .map(problem -> Map.of("field", problem.field(), "message", problem.message())).toList();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("field", first.field());
            details.put("problems", reported);
            if (list.size() > MAX_REPORTED) {
                details.put("more_problems", list.size() - MAX_REPORTED);
            }
            String message = (first.field().isEmpty() ? "" : first.field() + ": ") + first.message()
                    + (list.size() > 1 ? " (and " + (list.size() - 1) + " more problems, see details.problems)" : "");
            throw new ApiException(400, "invalid_field", message, details);
        }
    }

    // ---- flags ----

    /**
     * A flag document ({@code key}, {@code description}, {@code owner}, {@code type}, {@code environments}) checked
     * against the rules and the existing {@code segments}. {@code pathKey} is the flag's key from the URL of an update
     * (the body's key may then be left out, and must not differ), or null on create.
     */
    static ObjectNode flag(JsonNode body, Set<String> segments, String pathKey) {
        Problems problems = new Problems();
        requireObject(body, "a flag document");
        onlyFields(body, "", FLAG_FIELDS, READ_ONLY_FLAG_FIELDS, problems);
        String key = pathKey;
        JsonNode keyNode = body.get("key");
        if (pathKey == null || (keyNode != null && !keyNode.isNull())) {
            String given = text(body, "key", "", problems, true, 100);
            if (given != null && !KEY.matcher(given).matches()) {
                problems.add("key", "a flag's key is 1 to 100 characters: lowercase letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit");
            } else if (given != null && pathKey != null && !given.equals(pathKey)) {
                problems.add("key", "a flag's key never changes: this flag is '" + pathKey + "'");
            }
            key = pathKey != null ? pathKey : given;
        }
        String description = optionalText(body, "description", "", problems, MAX_TEXT);
        String owner = optionalText(body, "owner", "", problems, 200);
        String type = optionalText(body, "type", "", problems, 100);
        if (type.isEmpty()) {
            type = "release";
        } else if (!TYPES.contains(type)) {
            problems.add("type", "a flag's type is one of " + String.join(", ", sorted(TYPES)) + "; got '" + type + "'");
        }
        ObjectNode environments = NODES.objectNode();
        JsonNode given = body.get("environments");
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                problems.add("environments", "environments is an object of environment name to its settings");
            } else if (given.size() > MAX_ENVIRONMENTS) {
                problems.add("environments", "a flag has at most " + MAX_ENVIRONMENTS + " environments");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    String path = "environments." + entry.getKey();
                    if (!ENVIRONMENT.matcher(entry.getKey()).matches()) {
                        problems.add(path, "an environment's name is 1 to 63 lowercase letters, digits or '-', "
                                + "starting with a letter or digit");
                        continue;
                    }
                    environments.set(entry.getKey(), environment(entry.getValue(), path, segments, problems));
                }
            }
        }
        if (problems.isEmpty() && environments.toString().length() > MAX_DOCUMENT) {
            problems.add("environments", "a flag's environments are at most " + MAX_DOCUMENT / 1024 + " KiB of JSON; these are "
                    + environments.toString().length() / 1024 + " KiB");
        }
        problems.throwIfAny();
        ObjectNode flag = NODES.objectNode();
        flag.put("key", key);
        flag.put("description", description);
        flag.put("owner", owner);
        flag.put("type", type);
        flag.set("environments", environments);
        return flag;
    }

    /**
     * The reference design's shorthand, {@code {name, rollout_percentage, target_users, description?, owner?, type?,
     * environment?}}, as a full flag document: one environment ({@code defaultEnvironment} unless named), enabled,
     * the boolean variants, the target users as an {@code in} rule on {@code user_id} serving {@code on}, then a
     * rollout rule of {@code rollout_percentage} serving {@code on}.
     */
    static ObjectNode shorthand(JsonNode body, String defaultEnvironment, Set<String> segments) {
        Problems problems = new Problems();
        requireObject(body, "a flag: {name, rollout_percentage, target_users} or a full flag document");
        onlyFields(body, "", SHORTHAND_FIELDS, Set.of(), problems);
        String name = text(body, "name", "", problems, true, 100);
        if (name != null && !KEY.matcher(name).matches()) {
            problems.add("name", "a flag's name is its key: 1 to 100 characters, lowercase letters, digits, '.', '_' or "
                    + "'-', starting with a letter or digit");
        }
        JsonNode rolloutNode = body.get("rollout_percentage");
        JsonNode rollout = NODES.numberNode(0);
        if (rolloutNode != null && !rolloutNode.isNull()) {
            rollout = percentage(rolloutNode, "rollout_percentage", problems);
        }
        ArrayNode users = NODES.arrayNode();
        JsonNode usersNode = body.get("target_users");
        if (usersNode != null && !usersNode.isNull()) {
            users = strings(usersNode, "target_users", 0, MAX_VALUES, problems, "user ids");
        }
        String environment = optionalText(body, "environment", defaultEnvironment, problems, 63);
        if (!ENVIRONMENT.matcher(environment).matches()) {
            problems.add("environment", "an environment's name is 1 to 63 lowercase letters, digits or '-', starting with a "
                    + "letter or digit");
        }
        problems.throwIfAny();
        ArrayNode rules = NODES.arrayNode();
        if (!users.isEmpty()) {
            ObjectNode targeted = rules.addObject();
            targeted.put("description", "target users");
            ObjectNode constraint = targeted.putArray("constraints").addObject();
            constraint.put("attribute", "user_id");
            constraint.put("operator", "in");
            constraint.set("values", users);
            targeted.putObject("serve").put("variant", "on");
        }
        ObjectNode gradual = rules.addObject();
        gradual.put("description", "gradual rollout");
        gradual.set("rollout", rollout);
        gradual.putObject("serve").put("variant", "on");
        ObjectNode document = NODES.objectNode();
        document.put("key", name);
        copyIfPresent(body, document, "description");
        copyIfPresent(body, document, "owner");
        copyIfPresent(body, document, "type");
        ObjectNode settings = document.putObject("environments").putObject(environment);
        settings.put("enabled", true);
        settings.set("rules", rules);
        return flag(document, segments, null);
    }

    private static ObjectNode environment(JsonNode node, String path, Set<String> segments, Problems problems) {
        ObjectNode environment = NODES.objectNode();
        if (!node.isObject()) {
            problems.add(path, "an environment's settings are an object: {enabled, variants, off_variant, rules}");
            return environment;
        }
        onlyFields(node, path + ".", ENVIRONMENT_FIELDS, Set.of(), problems);
        boolean enabled = optionalBoolean(node, "enabled", path + ".enabled", false, problems);
        ArrayNode variants = NODES.arrayNode();
        Set<String> variantKeys = new HashSet<>();
        JsonNode givenVariants = node.get("variants");
        if (givenVariants == null || givenVariants.isNull()) {
            variants.addObject().put("key", "on").put("payload", true);
            variants.addObject().put("key", "off").put("payload", false);
            variantKeys.addAll(List.of("on", "off"));
        } else if (!givenVariants.isArray() || givenVariants.size() < 2 || givenVariants.size() > MAX_VARIANTS) {
            problems.add(path + ".variants", "variants is a list of 2 to " + MAX_VARIANTS + " variants, each {key, payload}");
        } else {
            for (int i = 0; i < givenVariants.size(); i++) {
                String variantPath = path + ".variants[" + i + "]";
                JsonNode variant = givenVariants.get(i);
                if (!variant.isObject()) {
                    problems.add(variantPath, "a variant is an object {key, payload}");
                    continue;
                }
                onlyFields(variant, variantPath + ".", VARIANT_FIELDS, Set.of(), problems);
                String key = text(variant, "key", variantPath + ".", problems, true, 100);
                if (key == null) {
                    continue;
                }
                if (!VARIANT.matcher(key).matches()) {
                    problems.add(variantPath + ".key", "a variant's key is 1 to 100 letters, digits, '.', '_' or '-', "
                            + "starting with a letter or digit");
                } else if (!variantKeys.add(key)) {
                    problems.add(variantPath + ".key", "the variant '" + key + "' is listed twice; variant keys are unique");
                }
                ObjectNode kept = variants.addObject();
                kept.put("key", key);
                kept.set("payload", variant.has("payload") ? variant.get("payload") : NODES.nullNode());
            }
        }
        String offVariant = optionalText(node, "off_variant", path + ".", "off", problems, 100);
        if (!variantKeys.isEmpty() && !variantKeys.contains(offVariant)) {
            problems.add(path + ".off_variant", "off_variant names one of this environment's variants ("
                    + String.join(", ", sorted(variantKeys)) + "); got '" + offVariant + "'");
        }
        ArrayNode rules = NODES.arrayNode();
        JsonNode givenRules = node.get("rules");
        if (givenRules != null && !givenRules.isNull()) {
            if (!givenRules.isArray()) {
                problems.add(path + ".rules", "rules is a list of rules, evaluated in order");
            } else if (givenRules.size() > MAX_RULES) {
                problems.add(path + ".rules", "an environment has at most " + MAX_RULES + " rules; got " + givenRules.size());
            } else {
                for (int i = 0; i < givenRules.size(); i++) {
                    rules.add(rule(givenRules.get(i), path + ".rules[" + i + "]", variantKeys, segments, problems));
                }
            }
        }
        environment.put("enabled", enabled);
        environment.set("variants", variants);
        environment.put("off_variant", offVariant);
        environment.set("rules", rules);
        return environment;
    }

    private static ObjectNode rule(JsonNode node, String path, Set<String> variants, Set<String> segments, Problems problems) {
        ObjectNode rule = NODES.objectNode();
        if (!node.isObject()) {
            problems.add(path, "a rule is an object {description, constraints, segments, rollout, serve}");
            return rule;
        }
        onlyFields(node, path + ".", RULE_FIELDS, Set.of(), problems);
        JsonNode description = node.get("description");
        if (description != null && !description.isNull()) {
            if (!description.isTextual() || description.asText().length() > MAX_TEXT) {
                problems.add(path + ".description", "a rule's description is text of at most " + MAX_TEXT + " characters");
            } else {
                rule.put("description", description.asText());
            }
        }
        ArrayNode constraints = NODES.arrayNode();
        JsonNode givenConstraints = node.get("constraints");
        if (givenConstraints != null && !givenConstraints.isNull()) {
            constraints = constraints(givenConstraints, path + ".constraints", 0, problems);
        }
        ArrayNode ruleSegments = NODES.arrayNode();
        JsonNode givenSegments = node.get("segments");
        if (givenSegments != null && !givenSegments.isNull()) {
            if (!givenSegments.isArray() || givenSegments.size() > MAX_SEGMENTS_PER_RULE) {
                problems.add(path + ".segments", "segments is a list of at most " + MAX_SEGMENTS_PER_RULE + " segment keys");
            } else {
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < givenSegments.size(); i++) {
                    JsonNode segment = givenSegments.get(i);
                    String segmentPath = path + ".segments[" + i + "]";
                    if (!segment.isTextual()) {
                        problems.add(segmentPath, "a segment is named by its key, a string");
                    } else if (!segments.contains(segment.asText())) {
                        problems.add(segmentPath, "there is no segment '" + segment.asText() + "'; create it first "
                                + "(POST /api/flag-segments)" + (segments.isEmpty() ? "" : " or use one of: "
                                + String.join(", ", sorted(segments).stream().limit(20).toList())));
                    } else if (!seen.add(segment.asText())) {
                        problems.add(segmentPath, "the segment '" + segment.asText() + "' is listed twice");
                    } else {
                        ruleSegments.add(segment.asText());
                    }
                }
            }
        }
        JsonNode rollout = NODES.numberNode(100);
        JsonNode givenRollout = node.get("rollout");
        if (givenRollout != null && !givenRollout.isNull()) {
            rollout = percentage(givenRollout, path + ".rollout", problems);
        }
        ObjectNode serve = NODES.objectNode();
        JsonNode givenServe = node.get("serve");
        if (givenServe == null || givenServe.isNull()) {
            problems.add(path + ".serve", "a rule says what it serves: {\"variant\": key} or {\"split\": [{variant, weight}]}");
        } else if (!givenServe.isObject()) {
            problems.add(path + ".serve", "serve is an object: {\"variant\": key} or {\"split\": [{variant, weight}]}");
        } else {
            onlyFields(givenServe, path + ".serve.", SERVE_FIELDS, Set.of(), problems);
            boolean hasVariant = givenServe.has("variant") && !givenServe.get("variant").isNull();
            boolean hasSplit = givenServe.has("split") && !givenServe.get("split").isNull();
            if (hasVariant == hasSplit) {
                problems.add(path + ".serve", "serve has exactly one of 'variant' (one variant) or 'split' (weighted variants)");
            } else if (hasVariant) {
                JsonNode variant = givenServe.get("variant");
                if (!variant.isTextual() || !variants.isEmpty() && !variants.contains(variant.asText())) {
                    problems.add(path + ".serve.variant", "serve.variant names one of this environment's variants ("
                            + String.join(", ", sorted(variants)) + "); got " + variant);
                } else {
                    serve.put("variant", variant.asText());
                }
            } else {
                serve.set("split", split(givenServe.get("split"), path + ".serve.split", variants, problems));
            }
        }
        rule.set("constraints", constraints);
        rule.set("segments", ruleSegments);
        rule.set("rollout", rollout);
        rule.set("serve", serve);
        return rule;
    }

    private static ArrayNode split(JsonNode node, String path, Set<String> variants, Problems problems) {
        ArrayNode split = NODES.arrayNode();
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_VARIANTS) {
            problems.add(path, "split is a list of 1 to " + MAX_VARIANTS + " {variant, weight}, the weights whole numbers summing to 100");
            return split;
        }
        long sum = 0;
        boolean weightsValid = true;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode part = node.get(i);
            String partPath = path + "[" + i + "]";
            if (!part.isObject()) {
                problems.add(partPath, "a split part is an object {variant, weight}");
                weightsValid = false;
                continue;
            }
            onlyFields(part, partPath + ".", SPLIT_FIELDS, Set.of(), problems);
            JsonNode variant = part.get("variant");
            if (variant == null || !variant.isTextual() || !variants.isEmpty() && !variants.contains(variant.asText())) {
                problems.add(partPath + ".variant", "variant names one of this environment's variants ("
                        + String.join(", ", sorted(variants)) + "); got " + variant);
            } else if (!seen.add(variant.asText())) {
                problems.add(partPath + ".variant", "the variant '" + variant.asText() + "' is in the split twice");
            }
            JsonNode weight = part.get("weight");
            Long whole = weight == null ? null : wholeNumber(weight);
            if (whole == null || whole < 0 || whole > 100) {
                problems.add(partPath + ".weight", "a weight is a whole number from 0 to 100; got " + weight);
                weightsValid = false;
                continue;
            }
            sum += whole;
            ObjectNode kept = split.addObject();
            kept.put("variant", variant == null ? null : variant.asText());
            kept.put("weight", whole);
        }
        if (weightsValid && sum != 100) {
            problems.add(path, "the weights of a split sum to 100; these sum to " + sum);
        }
        return split;
    }

    /** A list of constraints: of a rule, or of a segment (which needs at least one). */
    private static ArrayNode constraints(JsonNode node, String path, int min, Problems problems) {
        ArrayNode constraints = NODES.arrayNode();
        if (!node.isArray() || node.size() < min || node.size() > MAX_CONSTRAINTS) {
            problems.add(path, "constraints is a list of " + min + " to " + MAX_CONSTRAINTS
                    + " constraints, each {attribute, operator, values, negate}");
            return constraints;
        }
        for (int i = 0; i < node.size(); i++) {
            constraints.add(constraint(node.get(i), path + "[" + i + "]", problems));
        }
        return constraints;
    }

    private static ObjectNode constraint(JsonNode node, String path, Problems problems) {
        ObjectNode constraint = NODES.objectNode();
        if (!node.isObject()) {
            problems.add(path, "a constraint is an object {attribute, operator, values, negate}");
            return constraint;
        }
        onlyFields(node, path + ".", CONSTRAINT_FIELDS, Set.of(), problems);
        String attribute = text(node, "attribute", path + ".", problems, true, 200);
        if (attribute != null && attribute.isBlank()) {
            problems.add(path + ".attribute", "attribute names the context attribute, such as user_id or country");
        }
        String operator = text(node, "operator", path + ".", problems, true, 100);
        if (operator != null && !OPERATORS.contains(operator)) {
            problems.add(path + ".operator", "unknown operator '" + operator + "'; operators are " + String.join(", ", OPERATORS));
            operator = null;
        }
        ArrayNode values = NODES.arrayNode();
        JsonNode givenValues = node.get("values");
        if (givenValues == null || givenValues.isNull()) {
            problems.add(path + ".values", "values is required: a list of strings the attribute is compared with");
        } else {
            values = strings(givenValues, path + ".values", 1, MAX_VALUES, problems, "strings");
            if (operator != null && values.size() == givenValues.size()) {
                comparable(operator, values, path + ".values", problems);
            }
        }
        boolean negate = optionalBoolean(node, "negate", path + ".negate", false, problems);
        constraint.put("attribute", attribute);
        constraint.put("operator", operator);
        constraint.set("values", values);
        constraint.put("negate", negate);
        return constraint;
    }

    /** The operators that compare with one value need exactly one, of their type. */
    private static void comparable(String operator, ArrayNode values, String path, Problems problems) {
        String kind = operator.substring(0, operator.indexOf('_') < 0 ? operator.length() : operator.indexOf('_'));
        if (!kind.equals("num") && !kind.equals("semver") && !kind.equals("date")) {
            return;
        }
        if (values.size() != 1) {
            problems.add(path, "operator " + operator + " compares with exactly one value; got " + values.size());
            return;
        }
        String value = values.get(0).asText();
        switch (kind) {
            case "num" -> {
                try {
                    new BigDecimal(value.trim());
                } catch (NumberFormatException e) {
                    problems.add(path + "[0]", "operator " + operator + " compares numbers; '" + value + "' is not a decimal number");
                }
            }
            case "semver" -> {
                if (!SEMVER.matcher(value).matches()) {
                    problems.add(path + "[0]", "operator " + operator + " compares semantic versions; '" + value
                            + "' is not one (write MAJOR.MINOR.PATCH, e.g. 3.2.0 or 3.2.0-beta.1)");
                }
            }
            default -> {
                if (!isInstant(value)) {
                    problems.add(path + "[0]", "operator " + operator + " compares instants; '" + value
                            + "' is not an ISO-8601 instant such as 2026-12-01T00:00:00Z");
                }
            }
        }
    }

    private static boolean isInstant(String value) {
        try {
            Instant.parse(value);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** A percentage from 0 to 100 with at most two decimals, as a whole number when it is one. */
    private static JsonNode percentage(JsonNode node, String path, Problems problems) {
        String allowed = "a percentage from 0 to 100 with at most two decimals (e.g. 25 or 12.5)";
        if (!node.isNumber()) {
            problems.add(path, path.substring(path.lastIndexOf('.') + 1) + " is " + allowed + "; got " + node);
            return NODES.numberNode(0);
        }
        BigDecimal value;
        try {
            value = node.decimalValue().stripTrailingZeros();
        } catch (NumberFormatException e) {
            value = BigDecimal.valueOf(-1);
        }
        if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0 || value.scale() > 2) {
            problems.add(path, path.substring(path.lastIndexOf('.') + 1) + " is " + allowed + "; got " + node);
            return NODES.numberNode(0);
        }
        return value.scale() <= 0 ? NODES.numberNode(value.intValueExact()) : NODES.numberNode(value);
    }

    // ---- segments ----

    /** A segment document ({@code key}, {@code description}, {@code constraints}); {@code pathKey} as for {@link #flag}. */
    static ObjectNode segment(JsonNode body, String pathKey) {
        Problems problems = new Problems();
        requireObject(body, "a segment: {key, description, constraints}");
        onlyFields(body, "", SEGMENT_FIELDS, READ_ONLY_SEGMENT_FIELDS, problems);
        String key = pathKey;
        JsonNode keyNode = body.get("key");
        if (pathKey == null || (keyNode != null && !keyNode.isNull())) {
            String given = text(body, "key", "", problems, true, 100);
            if (given != null && !KEY.matcher(given).matches()) {
                problems.add("key", "a segment's key is 1 to 100 characters: lowercase letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit");
            } else if (given != null && pathKey != null && !given.equals(pathKey)) {
                problems.add("key", "a segment's key never changes: this segment is '" + pathKey + "'");
            }
            key = pathKey != null ? pathKey : given;
        }
        String description = optionalText(body, "description", "", problems, MAX_TEXT);
        ArrayNode constraints = NODES.arrayNode();
        JsonNode given = body.get("constraints");
        if (given == null || given.isNull()) {
            problems.add("constraints", "a segment needs constraints: a list of {attribute, operator, values, negate}");
        } else {
            constraints = constraints(given, "constraints", 1, problems);
        }
        problems.throwIfAny();
        ObjectNode segment = NODES.objectNode();
        segment.put("key", key);
        segment.put("description", description);
        segment.set("constraints", constraints);
        return segment;
    }

    // ---- exposures ----

    /** What one SDK report says of one flag: evaluations by variant, and the distinct users it saw. */
    record FlagExposure(String key, Map<String, Long> variants, long users) {
    }

    record ExposureReport(String environment, List<FlagExposure> flags) {
    }

    static ExposureReport exposures(JsonNode body) {
        Problems problems = new Problems();
        requireObject(body, "an exposure report: {environment, flags: [{key, variants, users}]}");
        onlyFields(body, "", EXPOSURE_FIELDS, Set.of(), problems);
        String environment = text(body, "environment", "", problems, true, 63);
        if (environment != null && !ENVIRONMENT.matcher(environment).matches()) {
            problems.add("environment", "an environment's name is 1 to 63 lowercase letters, digits or '-'");
        }
        List<FlagExposure> flags = new ArrayList<>();
        JsonNode given = body.get("flags");
        if (given == null || !given.isArray() || given.size() > MAX_EXPOSURE_FLAGS) {
            problems.add("flags", "flags is a list of at most " + MAX_EXPOSURE_FLAGS + " {key, variants, users}");
        } else {
            for (int i = 0; i < given.size(); i++) {
                String path = "flags[" + i + "]";
                JsonNode flag = given.get(i);
                if (!flag.isObject()) {
                    problems.add(path, "a flag's exposures are an object {key, variants, users}");
                    continue;
                }
                onlyFields(flag, path + ".", EXPOSURE_FLAG_FIELDS, Set.of(), problems);
                String key = text(flag, "key", path + ".", problems, true, 100);
                Map<String, Long> variants = new LinkedHashMap<>();
                JsonNode counts = flag.get("variants");
                if (counts != null && !counts.isNull()) {
                    if (!counts.isObject() || counts.size() > MAX_VARIANTS) {
                        problems.add(path + ".variants", "variants is an object of at most " + MAX_VARIANTS
                                + " variant keys to evaluation counts");
                    } else {
                        for (Iterator<Map.Entry<String, JsonNode>> it = counts.fields(); it.hasNext(); ) {
                            Map.Entry<String, JsonNode> count = it.next();
                            Long whole = wholeNumber(count.getValue());
                            if (!VARIANT.matcher(count.getKey()).matches()) {
                                problems.add(path + ".variants." + count.getKey(), "not a variant key");
                            } else if (whole == null || whole < 0) {
                                problems.add(path + ".variants." + count.getKey(), "an evaluation count is a whole number, 0 or more");
                            } else {
                                variants.put(count.getKey(), whole);
                            }
                        }
                    }
                }
                long users = 0;
                JsonNode usersNode = flag.get("users");
                if (usersNode != null && !usersNode.isNull()) {
                    Long whole = wholeNumber(usersNode);
                    if (whole == null || whole < 0) {
                        problems.add(path + ".users", "users is the number of distinct users the report saw, 0 or more");
                    } else {
                        users = whole;
                    }
                }
                if (key != null) {
                    flags.add(new FlagExposure(key, variants, users));
                }
            }
        }
        problems.throwIfAny();
        return new ExposureReport(environment, flags);
    }

    // ---- helpers ----

    private static void requireObject(JsonNode body, String what) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            throw new ApiException(400, "missing_body", "the request needs a JSON body: " + what, Map.of());
        }
        if (!body.isObject()) {
            throw new ApiException(400, "invalid_field", "the body is a JSON object: " + what, Map.of("field", ""));
        }
    }

    private static void onlyFields(JsonNode node, String prefix, Set<String> allowed, Set<String> ignored, Problems problems) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name) && !ignored.contains(name)) {
                problems.add(prefix + name, "unknown field '" + name + "'; allowed here: " + String.join(", ", sorted(allowed)));
            }
        }
    }

    private static String text(JsonNode node, String field, String prefix, Problems problems, boolean required, int max) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(prefix + field, "'" + field + "' is required");
            }
            return null;
        }
        if (!value.isTextual() || value.asText().length() > max) {
            problems.add(prefix + field, "'" + field + "' is text of at most " + max + " characters; got " + abbreviate(value));
            return null;
        }
        return value.asText();
    }

    private static String optionalText(JsonNode node, String field, String defaultValue, Problems problems, int max) {
        return optionalText(node, field, "", defaultValue, problems, max);
    }

    private static String optionalText(JsonNode node, String field, String prefix, String defaultValue, Problems problems, int max) {
        String value = text(node, field, prefix, problems, false, max);
        return value == null ? defaultValue : value;
    }

    private static boolean optionalBoolean(JsonNode node, String field, String path, boolean defaultValue, Problems problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.isBoolean()) {
            problems.add(path, "'" + field + "' is true or false; got " + abbreviate(value));
            return defaultValue;
        }
        return value.booleanValue();
    }

    private static ArrayNode strings(JsonNode node, String path, int min, int max, Problems problems, String what) {
        ArrayNode strings = NODES.arrayNode();
        if (!node.isArray() || node.size() < min || node.size() > max) {
            problems.add(path, path.substring(path.lastIndexOf('.') + 1) + " is a list of " + min + " to " + max + " " + what);
            return strings;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode value = node.get(i);
            if (!value.isTextual() || value.asText().isEmpty() || value.asText().length() > MAX_TEXT) {
                problems.add(path + "[" + i + "]", "each entry is a non-empty string of at most " + MAX_TEXT
                        + " characters; got " + abbreviate(value));
            } else {
                strings.add(value.asText());
            }
        }
        return strings;
    }

    /** The value of a JSON number with no fraction (50 or 50.0), or null. */
    private static Long wholeNumber(JsonNode node) {
        if (!node.isNumber()) {
            return null;
        }
        try {
            BigDecimal value = node.decimalValue();
            return value.stripTrailingZeros().scale() <= 0 ? value.longValueExact() : null;
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    private static void copyIfPresent(JsonNode from, ObjectNode to, String field) {
        if (from.has(field)) {
            to.set(field, from.get(field));
        }
    }

    private static String abbreviate(JsonNode value) {
        String text = value.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
