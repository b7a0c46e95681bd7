package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sets a flag's rollout in one environment: the {@code rollout} of its last rule, which is what docs/flags.md calls
 * the flag's {@code rollout_percentage}. Reads the flag, changes that one field, and writes the document back with
 * {@code If-Match} of the version read; when someone else wrote in between (412) it reads again and reapplies the
 * change once, then gives up (exit code 5) rather than overwrite a change it has not seen.
 */
final class FlagRollout {
    private static final int ATTEMPTS = 2;

    private final ApiClient api;
    private final Consumer<String> progress;

    FlagRollout(ApiClient api, Consumer<String> progress) {
        this.api = api;
        this.progress = progress;
    }

    /** Returns the flag as the server stored it. */
    JsonNode set(String key, String environment, BigDecimal percent) {
        String path = FlagsCommand.path(key);
        for (int attempt = 1; ; attempt++) {
            ApiClient.Reply current = api.getReply(path);
            ObjectNode flag = apply(current.json(), key, environment, percent);
            String etag = current.header("ETag") != null ? current.header("ETag") : "\"" + current.json().path("version").asText() + "\"";
            try {
                return api.put(path, flag, Map.of("If-Match", etag)).json();
            } catch (ApiError e) {
                if (e.status() != 412) {
                    throw e;
                }
                if (attempt >= ATTEMPTS) {
                    throw new CliException(ExitCodes.CONFLICT, "flag " + key + " kept changing while its rollout was being set "
                            + "(now version " + e.details().path("current_version").asText("?") + "); check it with 'gantry flags show "
                            + key + "' and run the command again");
                }
                progress.accept("flag " + key + " changed since it was read (now version "
                        + e.details().path("current_version").asText("?") + "); reading it again");
            }
        }
    }

    /** A copy of {@code flag} whose last rule in {@code environment} has {@code rollout} = {@code percent}. */
    static ObjectNode apply(JsonNode flag, String key, String environment, BigDecimal percent) {
        ObjectNode copy = flag.deepCopy();
        JsonNode settings = copy.path("environments").path(environment);
        if (!settings.isObject()) {
            List<String> names = new ArrayList<>();
            copy.path("environments").fieldNames().forEachRemaining(names::add);
            throw new CliException(ExitCodes.NOT_FOUND, "flag " + key + " is not set up in environment " + environment
                    + (names.isEmpty() ? " (it is set up in none)" : " (it is set up in " + String.join(", ", names) + ")"));
        }
        JsonNode rules = settings.path("rules");
        if (!rules.isArray() || rules.isEmpty()) {
            throw new CliException(ExitCodes.CONFLICT, "flag " + key + " has no rules in " + environment
                    + ", so it has no rollout to change; give it a rule (PUT /api/feature-flags/" + key + ", see docs/flags.md)");
        }
        ((ObjectNode) ((ArrayNode) rules).get(rules.size() - 1)).put("rollout", normalize(percent));
        return copy;
    }

    /** 25 rather than 25.00 or 2.5E+1, as the API writes percentages. */
    static BigDecimal normalize(BigDecimal percent) {
        BigDecimal stripped = percent.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
