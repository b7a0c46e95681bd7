package dev.gantry.server.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.server.http.ApiException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestFlagValidation {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ObjectNode flag(String text) {
        return FlagValidation.flag(json(text), Set.of("eu-users"), null);
    }

    private static ApiException refused(String text) {
        try {
            flag(text);
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("accepted: " + text);
    }

    @SuppressWarnings("unchecked")
    private static List<String> fields(ApiException e) {
        return ((List<Map<String, String>>) e.details().get("problems")).stream().map(problem -> problem.get("field")).toList();
    }

    @Test
    void anEmptyEnvironmentGetsTheDocumentedDefaults() {
        ObjectNode flag = flag("{\"key\":\"plain\",\"environments\":{\"production\":{}}}");

        assertThat(flag.toString()).isEqualTo("{\"key\":\"plain\",\"description\":\"\",\"owner\":\"\",\"type\":\"release\","
                + "\"environments\":{\"production\":{\"enabled\":false,\"variants\":[{\"key\":\"on\",\"payload\":true},"
                + "{\"key\":\"off\",\"payload\":false}],\"off_variant\":\"off\",\"rules\":[]}}}");
    }

    @Test
    void aRuleIsWrittenOutWithEveryFieldInTheDocumentedOrder() {
        ObjectNode flag = flag("{\"key\":\"ordered\",\"environments\":{\"production\":{\"rules\":[{\"serve\":{\"variant\":\"on\"},"
                + "\"rollout\":12.50,\"constraints\":[{\"values\":[\"DE\"],\"operator\":\"in\",\"attribute\":\"country\"}]}]}}}");

        assertThat(flag.at("/environments/production/rules/0").toString()).isEqualTo("{\"constraints\":[{\"attribute\":\"country\","
                + "\"operator\":\"in\",\"values\":[\"DE\"],\"negate\":false}],\"segments\":[],\"rollout\":12.5,\"serve\":{\"variant\":\"on\"}}");
    }

    @Test
    void percentagesAreZeroToHundredWithAtMostTwoDecimals() {
        String template = "{\"key\":\"p\",\"environments\":{\"production\":{\"rules\":[{\"rollout\":%s,\"serve\":{\"variant\":\"on\"}}]}}}";
        assertThat(flag(template.formatted("0")).at("/environments/production/rules/0/rollout").asInt()).isZero();
        assertThat(flag(template.formatted("100.00")).at("/environments/production/rules/0/rollout").toString()).isEqualTo("100");
        assertThat(flag(template.formatted("0.01")).at("/environments/production/rules/0/rollout").toString()).isEqualTo("0.01");
        for (String bad : List.of("101", "-1", "12.345", "\"50\"", "1e400")) {
            assertThat(fields(refused(template.formatted(bad)))).as(bad).containsExactly("environments.production.rules[0].rollout");
        }
    }

    @Test
    void splitWeightsAreWholeNumbersSummingToHundred() {
        String template = "{\"key\":\"s\",\"environments\":{\"production\":{\"rules\":[{\"serve\":{\"split\":"
                + "[{\"variant\":\"on\",\"weight\":%s},{\"variant\":\"off\",\"weight\":%s}]}}]}}}";
        assertThat(flag(template.formatted("50.0", "50")).at("/environments/production/rules/0/serve/split/0/weight").toString())
                .isEqualTo("50");
        assertThat(refused(template.formatted("40", "50")).getMessage()).contains("sum to 100; these sum to 90");
        assertThat(fields(refused(template.formatted("49.5", "50.5"))))
                .containsExactly("environments.production.rules[0].serve.split[0].weight", "environments.production.rules[0].serve.split[1].weight");
        assertThat(fields(refused("{\"key\":\"s\",\"environments\":{\"production\":{\"rules\":[{\"serve\":{\"variant\":\"on\","
                + "\"split\":[{\"variant\":\"on\",\"weight\":100}]}}]}}}"))).containsExactly("environments.production.rules[0].serve");
    }

    @Test
    void everyProblemIsReportedWithItsPathAndTheFirstIsTheMessage() {
        ApiException e = refused("{\"key\":\"many\",\"type\":\"feature\",\"environments\":{\"Prod\":{},\"production\":{"
                + "\"enabled\":\"yes\",\"rules\":[{\"segments\":[\"eu-users\",\"mars\"],\"serve\":{}}]}}}");

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).isEqualTo("invalid_field");
        assertThat(fields(e)).containsExactly("type", "environments.Prod", "environments.production.enabled",
                "environments.production.rules[0].segments[1]", "environments.production.rules[0].serve");
        assertThat(e.details().get("field")).isEqualTo("type");
        assertThat(e.getMessage()).startsWith("type: ").contains("release").contains("and 4 more problems");
    }

    @Test
    void comparisonOperatorsNeedOneValueOfTheirType() {
        String template = "{\"key\":\"c\",\"environments\":{\"production\":{\"rules\":[{\"constraints\":[{\"attribute\":\"a\","
                + "\"operator\":\"%s\",\"values\":%s}],\"serve\":{\"variant\":\"on\"}}]}}}";
        flag(template.formatted("num_gte", "[\"-3.5\"]"));
        flag(template.formatted("semver_lt", "[\"2.0.0-rc.1+build.5\"]"));
        flag(template.formatted("date_before", "[\"2026-12-01T00:00:00+01:00\"]"));
        flag(template.formatted("in", "[\"a\",\"b\"]"));
        assertThat(refused(template.formatted("num_eq", "[\"1\",\"2\"]")).getMessage()).contains("exactly one value");
        assertThat(refused(template.formatted("semver_eq", "[\"01.2.3\"]")).getMessage()).contains("semantic version");
        assertThat(refused(template.formatted("in", "[]")).getMessage()).contains("1 to 1000");
        assertThat(refused(template.formatted("in", "[3]")).getMessage()).contains("non-empty string");
    }

    @Test
    void anUpdateMayLeaveTheKeyOutButNotChangeItAndReadOnlyFieldsAreIgnored() {
        ObjectNode flag = FlagValidation.flag(json("{\"flag_id\":\"k\",\"version\":3,\"stale\":false,\"archived\":false,"
                + "\"created_at\":\"x\",\"updated_at\":\"y\"}"), Set.of(), "k");
        assertThat(flag.get("key").asText()).isEqualTo("k");
        assertThatThrownBy(() -> FlagValidation.flag(json("{\"key\":\"other\"}"), Set.of(), "k"))
                .hasMessageContaining("never changes");
    }

    @Test
    void theShorthandBecomesOneEnvironmentWithATargetRuleAndARolloutRule() {
        ObjectNode flag = FlagValidation.shorthand(json("{\"name\":\"quick\",\"target_users\":[\"u-1\"],\"rollout_percentage\":5.5,"
                + "\"type\":\"experiment\",\"environment\":\"staging\"}"), "production", Set.of());

        assertThat(flag.get("type").asText()).isEqualTo("experiment");
        assertThat(flag.get("environments").has("production")).isFalse();
        JsonNode staging = flag.get("environments").get("staging");
        assertThat(staging.get("enabled").asBoolean()).isTrue();
        assertThat(staging.at("/rules/0/constraints/0").toString())
                .isEqualTo("{\"attribute\":\"user_id\",\"operator\":\"in\",\"values\":[\"u-1\"],\"negate\":false}");
        assertThat(staging.at("/rules/1/rollout").toString()).isEqualTo("5.5");
        assertThat(FlagValidation.shorthand(json("{\"name\":\"bare\"}"), "production", Set.of())
                .at("/environments/production/rules").size()).as("no target users: only the rollout rule, at 0").isEqualTo(1);
        assertThatThrownBy(() -> FlagValidation.shorthand(json("{\"name\":\"x\",\"key\":\"x\"}"), "production", Set.of()))
                .hasMessageContaining("unknown field 'key'");
    }

    @Test
    void aSegmentNeedsAtLeastOneValidConstraint() {
        assertThat(FlagValidation.segment(json("{\"key\":\"eu\",\"constraints\":[{\"attribute\":\"country\",\"operator\":\"in\","
                + "\"values\":[\"DE\"],\"negate\":true}]}"), null).toString())
                .isEqualTo("{\"key\":\"eu\",\"description\":\"\",\"constraints\":[{\"attribute\":\"country\",\"operator\":\"in\","
                        + "\"values\":[\"DE\"],\"negate\":true}]}");
        assertThatThrownBy(() -> FlagValidation.segment(json("{\"key\":\"eu\",\"constraints\":[]}"), null))
                .hasMessageStartingWith("constraints:");
        assertThatThrownBy(() -> FlagValidation.segment(json("{\"key\":\"eu\",\"constraints\":[{\"attribute\":\"c\",\"operator\":\"near\","
                + "\"values\":[\"x\"]}]}"), null)).hasMessageStartingWith("constraints[0].operator: unknown operator 'near'");
    }

    @Test
    void anExposureReportCountsWholeNonNegativeNumbers() {
        FlagValidation.ExposureReport report = FlagValidation.exposures(json("{\"environment\":\"production\",\"flags\":["
                + "{\"key\":\"a\",\"variants\":{\"on\":3,\"off\":0},\"users\":2},{\"key\":\"b\"}]}"));
        assertThat(report.flags()).containsExactly(new FlagValidation.FlagExposure("a", Map.of("on", 3L, "off", 0L), 2),
                new FlagValidation.FlagExposure("b", Map.of(), 0));
        assertThatThrownBy(() -> FlagValidation.exposures(json("{\"environment\":\"production\",\"flags\":[{\"key\":\"a\","
                + "\"variants\":{\"on\":1.5}}]}"))).hasMessageStartingWith("flags[0].variants.on:");
        assertThatThrownBy(() -> FlagValidation.exposures(json("{\"flags\":[]}"))).hasMessageStartingWith("environment:");
        assertThatThrownBy(() -> FlagValidation.exposures(null)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).error()).isEqualTo("missing_body"));
    }
}
