package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** How feature flags look: a table row, the summary of one with its rules per environment. */
final class FlagView {
    private FlagView() {
    }

    static Table table(JsonNode list) {
        Table table = new Table("key", "type", "version", "owner", "environments");
        for (JsonNode flag : list.path("flags")) {
            List<String> environments = new ArrayList<>();
            forEachEnvironment(flag, (name, environment) -> environments.add(name + ": " + state(environment)));
            String key = Json.text(flag, "key") + (flag.path("stale").asBoolean() ? " (stale)" : "")
                    + (flag.path("archived").asBoolean() ? " (archived)" : "");
            table.row(key, Json.text(flag, "type"), Json.text(flag, "version"), Json.text(flag, "owner"),
                    environments.isEmpty() ? null : String.join(", ", environments));
        }
        return table;
    }

    static String details(JsonNode flag) {
        Details details = new Details()
                .add("flag", Json.text(flag, "key"))
                .add("type", Json.text(flag, "type"))
                .add("owner", Json.text(flag, "owner"))
                .add("description", Json.text(flag, "description"))
                .add("version", Json.text(flag, "version"))
                .add("archived", flag.path("archived").asBoolean() ? "yes" : null)
                .add("stale", flag.path("stale").asBoolean() ? "yes: settled and unchanged for long; remove it from the code" : null)
                .add("updated", Format.time(Json.text(flag, "updated_at")));
        forEachEnvironment(flag, (name, environment) -> {
            List<String> lines = new ArrayList<>();
            lines.add(state(environment) + ", " + environment.path("rules").size() + " rule"
                    + (environment.path("rules").size() == 1 ? "" : "s"));
            int number = 1;
            for (JsonNode rule : environment.path("rules")) {
                lines.add(number++ + ". " + rule(rule));
            }
            details.add("env " + name, String.join("\n", lines));
        });
        return details.render();
    }

    /**
     * {@code on 25%} or {@code off}: enabled or not, and the rollout as docs/flags.md defines {@code rollout_percentage}:
     * the last rule's rollout (100 when it sets none), 0 with no rules.
     */
    static String state(JsonNode environment) {
        if (!environment.path("enabled").asBoolean()) {
            return "off";
        }
        return "on " + Format.percent(rolloutPercentage(environment));
    }

    static BigDecimal rolloutPercentage(JsonNode environment) {
        JsonNode rules = environment.path("rules");
        if (rules.isEmpty()) {
            return BigDecimal.ZERO;
        }
        JsonNode rollout = rules.get(rules.size() - 1).path("rollout");
        return rollout.isNumber() ? rollout.decimalValue() : BigDecimal.valueOf(100);
    }

    /** {@code beta testers: user_id in u-17, u-42 -> on}, {@code 25% -> split on 50, off 50}. */
    static String rule(JsonNode rule) {
        List<String> parts = new ArrayList<>();
        for (JsonNode segment : rule.path("segments")) {
            parts.add("segment " + segment.asText());
        }
        for (JsonNode constraint : rule.path("constraints")) {
            List<String> values = new ArrayList<>();
            constraint.path("values").forEach(value -> values.add(value.asText()));
            parts.add(Json.text(constraint, "attribute") + (constraint.path("negate").asBoolean() ? " not " : " ")
                    + Json.text(constraint, "operator") + " " + String.join(", ", values));
        }
        JsonNode rollout = rule.path("rollout");
        if (rollout.isNumber() && rollout.decimalValue().compareTo(BigDecimal.valueOf(100)) != 0) {
            parts.add(Format.percent(rollout.decimalValue()) + " of users");
        }
        String description = Json.text(rule, "description");
        String when = parts.isEmpty() ? "everyone" : String.join(" and ", parts);
        return (description != null && !description.isBlank() ? description + ": " : "") + when + " -> " + serve(rule.path("serve"));
    }

    private static String serve(JsonNode serve) {
        if (serve.hasNonNull("variant")) {
            return serve.get("variant").asText();
        }
        List<String> split = new ArrayList<>();
        serve.path("split").forEach(part -> split.add(Json.text(part, "variant") + " " + part.path("weight").asText()));
        return "split " + String.join(", ", split);
    }

    private static void forEachEnvironment(JsonNode flag, java.util.function.BiConsumer<String, JsonNode> action) {
        for (Iterator<Map.Entry<String, JsonNode>> it = flag.path("environments").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> environment = it.next();
            action.accept(environment.getKey(), environment.getValue());
        }
    }
}
