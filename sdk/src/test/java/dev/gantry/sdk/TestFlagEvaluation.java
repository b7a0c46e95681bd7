package dev.gantry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestFlagEvaluation {
    // docs/flags.md's example, its production environment as the stream sends it
    private static final String NEW_CHECKOUT = """
            {"key": "new-checkout", "type": "release", "version": 7, "enabled": true,
             "variants": [{"key": "on", "payload": true}, {"key": "off", "payload": false}],
             "off_variant": "off",
             "rules": [
               {"description": "beta testers", "constraints": [{"attribute": "user_id", "operator": "in", "values": ["u-17", "u-42"]}],
                "serve": {"variant": "on"}},
               {"description": "blocked", "constraints": [{"attribute": "user_id", "operator": "in", "values": ["u-666"]}],
                "serve": {"variant": "off"}},
               {"description": "EU on app 3.2+", "segments": ["eu-users"],
                "constraints": [{"attribute": "app_version", "operator": "semver_gte", "values": ["3.2.0"]}],
                "rollout": 25, "serve": {"variant": "on"}},
               {"rollout": 10, "serve": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}}
             ]}""";
    private static final String EU_USERS = """
            {"key": "eu-users", "constraints": [{"attribute": "country", "operator": "in", "values": ["DE", "FR", "NL"]}]}""";

    static GantryFlags offline(String segments, String... flags) {
        String snapshot = "{\"environment\": \"production\", \"flags\": [" + String.join(",", flags)
                + "], \"segments\": [" + segments + "]}";
        return GantryFlags.offline("production").bootstrap(snapshot).build();
    }

    private static String constraintFlag(String attribute, String operator, boolean negate, String... values) {
        StringBuilder v = new StringBuilder();
        for (String value : values) {
            v.append(v.length() == 0 ? "" : ", ").append('"').append(value).append('"');
        }
        return TestFlagServer.flag("f", 1, true, "[{\"constraints\": [{\"attribute\": \"" + attribute
                + "\", \"operator\": \"" + operator + "\", \"values\": [" + v + "], \"negate\": " + negate
                + "}], \"serve\": {\"variant\": \"on\"}}]");
    }

    /** Whether a constraint holds for a context with the attribute (null: the context lacks it). */
    private static boolean holds(String operator, String attributeValue, boolean negate, String... values) {
        try (GantryFlags flags = offline("", constraintFlag("a", operator, negate, values))) {
            FlagContext context = attributeValue == null ? FlagContext.of("u-1")
                    : FlagContext.builder("u-1").attribute("a", attributeValue).build();
            FlagEvaluation evaluation = flags.evaluate("f", context);
            assertThat(evaluation.reason()).isIn(Reason.TARGETING_MATCH, Reason.DEFAULT);
            return evaluation.enabled();
        }
    }

    private static int bucket(String input, int modulo) {
        return Integer.remainderUnsigned(Murmur3.hash(input.getBytes(StandardCharsets.UTF_8), 0), modulo);
    }

    @Test
    void inAndNotIn() {
        assertThat(holds("in", "DE", false, "DE", "FR")).isTrue();
        assertThat(holds("in", "IT", false, "DE", "FR")).isFalse();
        assertThat(holds("in", "de", false, "DE")).as("case-sensitive").isFalse();
        assertThat(holds("not_in", "IT", false, "DE", "FR")).isTrue();
        assertThat(holds("not_in", "DE", false, "DE", "FR")).isFalse();
        assertThat(holds("in", "v9", false, "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10")).isTrue();
        assertThat(holds("in", "v11", false, "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10")).isFalse();
        assertThat(holds("in", "DE", true, "DE")).isFalse();
        assertThat(holds("in", "IT", true, "DE")).isTrue();
        assertThat(holds("not_in", "DE", true, "DE")).isTrue();
        assertThat(holds("in", "x", false)).as("no values").isFalse();
    }

    @Test
    void stringComparisons() {
        assertThat(holds("str_contains", "alice@corp.example", false, "@other", "@corp.")).isTrue();
        assertThat(holds("str_contains", "alice@mail.example", false, "@corp.")).isFalse();
        assertThat(holds("str_starts_with", "beta-7", false, "alpha", "beta")).isTrue();
        assertThat(holds("str_starts_with", "7-beta", false, "beta")).isFalse();
        assertThat(holds("str_ends_with", "alice@corp.example", false, "@corp.example")).isTrue();
        assertThat(holds("str_ends_with", "alice@corp.example.org", false, "@corp.example")).isFalse();
        assertThat(holds("str_contains", "alice@corp.example", true, "@corp.")).isFalse();
        assertThat(holds("str_contains", "bob@mail.example", true, "@corp.")).isTrue();
    }

    @Test
    void numberComparisons() {
        assertThat(holds("num_eq", "10", false, "10.0")).isTrue();
        assertThat(holds("num_eq", "1e1", false, "10")).isTrue();
        assertThat(holds("num_eq", "-0", false, "0")).isTrue();
        assertThat(holds("num_gt", "10", false, "9.5")).isTrue();
        assertThat(holds("num_gt", "9.5", false, "9.5")).isFalse();
        assertThat(holds("num_gte", "9.5", false, "9.5")).isTrue();
        assertThat(holds("num_lt", "-3", false, "2")).isTrue();
        assertThat(holds("num_lt", "2", false, "2")).isFalse();
        assertThat(holds("num_lte", "2", false, "2")).isTrue();
        assertThat(holds("num_lte", "2.0001", false, "2")).isFalse();
        assertThat(holds("num_gte", " 10 ", false, " 10")).as("blanks around are ignored, as the server does").isTrue();
        assertThat(holds("num_lt", ".5", false, "1.")).isTrue();
        assertThat(holds("num_gt", "10", true, "9.5")).isFalse();
        assertThat(holds("num_gt", "9", true, "9.5")).isTrue();
    }

    @Test
    void anAttributeThatIsNotANumberMakesANumberConstraintFalseEvenNegated() {
        for (String bad : new String[] {"abc", "", "NaN", "Infinity", "0x10", "1,5", "1.5.2", "10d", "1e", "1 0", "--1",
                "1e999"}) {
            assertThat(holds("num_gte", bad, false, "0")).as(bad).isFalse();
            assertThat(holds("num_gte", bad, true, "0")).as("negated " + bad).isFalse();
            assertThat(holds("num_lt", bad, true, "0")).as("negated " + bad).isFalse();
        }
    }

    @Test
    void aConstraintWhoseValueIsNotANumberHoldsForNoOne() {
        assertThat(holds("num_gt", "5", false, "five")).isFalse();
        assertThat(holds("num_gt", "5", true, "five")).isFalse();
        assertThat(holds("num_eq", "5", false)).as("no values").isFalse();
        assertThat(holds("semver_gt", "3.2.0", true, "three")).isFalse();
        assertThat(holds("date_after", "2026-11-25T10:00:00Z", true, "yesterday")).isFalse();
    }

    @Test
    void semverComparisons() {
        assertThat(holds("semver_gte", "3.2.0", false, "3.2.0")).isTrue();
        assertThat(holds("semver_gte", "3.10.0", false, "3.2.0")).as("numeric, not lexical").isTrue();
        assertThat(holds("semver_gte", "3.1.9", false, "3.2.0")).isFalse();
        assertThat(holds("semver_gte", "3.2.0-rc.1", false, "3.2.0")).as("a pre-release is below its release").isFalse();
        assertThat(holds("semver_gt", "3.2.0-rc.1", false, "3.2.0-beta.11")).isTrue();
        assertThat(holds("semver_lt", "3.2.0-rc.1", false, "3.2.0")).isTrue();
        assertThat(holds("semver_lt", "3.2.0-beta.2", false, "3.2.0-beta.11")).isTrue();
        assertThat(holds("semver_lte", "3.2.0+build.5", false, "3.2.0")).isTrue();
        assertThat(holds("semver_eq", "3.2.0+build.5", false, "3.2.0")).isTrue();
        assertThat(holds("semver_eq", "3.2.1", false, "3.2.0")).isFalse();
        assertThat(holds("semver_gt", "4.0.0", false, "3.2.0")).isTrue();
        assertThat(holds("semver_gt", "4.0.0", true, "3.2.0")).isFalse();
        assertThat(holds("semver_gt", "3.0.0", true, "3.2.0")).isTrue();
    }

    @Test
    void anAttributeThatIsNotASemverMakesASemverConstraintFalseEvenNegated() {
        for (String bad : new String[] {"3.2", "v3.2.0", "3.2.0.0", "latest", "", "03.2.0"}) {
            assertThat(holds("semver_gte", bad, false, "1.0.0")).as(bad).isFalse();
            assertThat(holds("semver_lt", bad, true, "1.0.0")).as("negated " + bad).isFalse();
        }
    }

    @Test
    void dateComparisons() {
        assertThat(holds("date_after", "2026-11-25T10:00:01Z", false, "2026-11-25T10:00:00Z")).isTrue();
        assertThat(holds("date_after", "2026-11-25T10:00:00Z", false, "2026-11-25T10:00:00Z")).isFalse();
        assertThat(holds("date_before", "2026-11-25T09:59:59.999Z", false, "2026-11-25T10:00:00Z")).isTrue();
        assertThat(holds("date_before", "2026-11-25T11:30:00+02:00", false, "2026-11-25T10:00:00Z"))
                .as("an offset is honoured: 09:30 UTC").isTrue();
        assertThat(holds("date_after", "2026-11-25T10:00:00Z", true, "2026-12-01T00:00:00Z")).isTrue();
        for (String bad : new String[] {"2026-11-25", "yesterday", "2026-11-25T10:00:00", "1764064800", ""}) {
            assertThat(holds("date_after", bad, false, "2000-01-01T00:00:00Z")).as(bad).isFalse();
            assertThat(holds("date_after", bad, true, "2000-01-01T00:00:00Z")).as("negated " + bad).isFalse();
        }
    }

    @Test
    void aMissingAttributeNeverLetsAUserInEvenNegated() {
        for (String operator : new String[] {"in", "not_in", "str_contains", "str_starts_with", "str_ends_with",
                "num_eq", "num_gt", "semver_gte", "date_before"}) {
            String value = operator.startsWith("num") ? "1" : operator.startsWith("semver") ? "1.0.0"
                    : operator.startsWith("date") ? "2030-01-01T00:00:00Z" : "x";
            assertThat(holds(operator, null, false, value)).as(operator).isFalse();
            assertThat(holds(operator, null, true, value)).as("negated " + operator).isFalse();
        }
    }

    @Test
    void anUnknownOperatorHoldsForNoOne() {
        assertThat(holds("regex_matches", "abc", false, "a.c")).isFalse();
        assertThat(holds("regex_matches", "abc", true, "a.c")).isFalse();
    }

    @Test
    void userIdConstraintsReadTheContextsUserId() {
        try (GantryFlags flags = offline("", constraintFlag("user_id", "str_starts_with", false, "staff-"))) {
            assertThat(flags.isEnabled("f", FlagContext.of("staff-7"), false)).isTrue();
            assertThat(flags.isEnabled("f", FlagContext.of("u-7"), false)).isFalse();
            assertThat(flags.isEnabled("f", FlagContext.anonymous(), false)).isFalse();
        }
    }

    @Test
    void theFirstMatchingRuleDecides() {
        try (GantryFlags flags = offline(EU_USERS, NEW_CHECKOUT)) {
            FlagContext betaTester = FlagContext.builder("u-42").attribute("country", "US").build();
            assertThat(flags.evaluate("new-checkout", betaTester).reason()).isEqualTo(Reason.TARGETING_MATCH);
            assertThat(flags.isEnabled("new-checkout", betaTester, false)).isTrue();
            // blocked comes second, so it wins over the EU rule and the split below it
            FlagContext blocked = FlagContext.builder("u-666").attribute("country", "DE")
                    .attribute("app_version", "3.3.0").build();
            FlagEvaluation evaluation = flags.evaluate("new-checkout", blocked);
            assertThat(evaluation.reason()).isEqualTo(Reason.TARGETING_MATCH);
            assertThat(evaluation.variant().orElseThrow().key()).isEqualTo("off");
            assertThat(evaluation.flagVersion()).isEqualTo(7);
        }
    }

    @Test
    void segmentsAndPercentagesFollowTheDocument() {
        try (GantryFlags flags = offline(EU_USERS, NEW_CHECKOUT)) {
            int euOn = 0;
            int users = 20_000;
            for (int i = 0; i < users; i++) {
                String id = "user-" + i;
                FlagContext eu = FlagContext.builder(id).attribute("country", "FR").attribute("app_version", "3.4.1")
                        .build();
                FlagEvaluation evaluation = flags.evaluate("new-checkout", eu);
                boolean inEuRollout = bucket("new-checkout:" + id, 10_000) < 2500;
                boolean inSplitRollout = bucket("new-checkout:" + id, 10_000) < 1000;
                if (inEuRollout) {
                    euOn++;
                    assertThat(evaluation.reason()).isEqualTo(Reason.TARGETING_MATCH);
                    assertThat(evaluation.enabled()).isTrue();
                } else {
                    // below 10 % is below 25 % too, so a user out of the EU rule is out of the split's rollout
                    assertThat(inSplitRollout).isFalse();
                    assertThat(evaluation.reason()).isEqualTo(Reason.DEFAULT);
                    assertThat(evaluation.variant().orElseThrow().key()).isEqualTo("off");
                }
                FlagContext outsideEu = FlagContext.builder(id).attribute("country", "US")
                        .attribute("app_version", "3.4.1").build();
                FlagEvaluation other = flags.evaluate("new-checkout", outsideEu);
                if (inSplitRollout) {
                    String expected = bucket("new-checkout:variant:" + id, 100) < 50 ? "on" : "off";
                    assertThat(other.reason()).isEqualTo(Reason.SPLIT);
                    assertThat(other.variant().orElseThrow().key()).isEqualTo(expected);
                } else {
                    assertThat(other.reason()).isEqualTo(Reason.DEFAULT);
                }
            }
            assertThat(euOn / (double) users).isBetween(0.235, 0.265);
            // an EU user on an old app is not in the EU rule
            FlagContext oldApp = FlagContext.builder("user-1").attribute("country", "DE").attribute("app_version", "3.1.9")
                    .build();
            assertThat(flags.evaluate("new-checkout", oldApp).reason()).isIn(Reason.SPLIT, Reason.DEFAULT);
        }
    }

    @Test
    void aRuleThatListsAnUnknownSegmentMatchesNoOne() {
        String flag = TestFlagServer.flag("f", 1, true,
                "[{\"segments\": [\"missing\"], \"serve\": {\"variant\": \"on\"}}, {\"serve\": {\"variant\": \"off\"}}]");
        try (GantryFlags flags = offline("", flag)) {
            FlagEvaluation evaluation = flags.evaluate("f", FlagContext.of("u-1"));
            assertThat(evaluation.reason()).isEqualTo(Reason.TARGETING_MATCH);
            assertThat(evaluation.variant().orElseThrow().key()).isEqualTo("off");
        }
    }

    @Test
    void splitsFollowTheirWeightsAndStayPut() {
        String flag = """
                {"key": "checkout-layout", "version": 3, "enabled": true,
                 "variants": [{"key": "control", "payload": "one-page"}, {"key": "a", "payload": "two-step"},
                              {"key": "b", "payload": {"steps": 3}}],
                 "off_variant": "control",
                 "rules": [{"serve": {"split": [{"variant": "control", "weight": 20}, {"variant": "a", "weight": 30},
                                                {"variant": "b", "weight": 50}]}}]}""";
        try (GantryFlags flags = offline("", flag)) {
            Map<String, Integer> counts = new java.util.HashMap<>();
            for (int i = 0; i < 30_000; i++) {
                FlagContext user = FlagContext.of("user-" + i);
                FlagEvaluation evaluation = flags.evaluate("checkout-layout", user);
                assertThat(evaluation.reason()).isEqualTo(Reason.SPLIT);
                String variant = evaluation.variant().orElseThrow().key();
                int b = bucket("checkout-layout:variant:user-" + i, 100);
                assertThat(variant).isEqualTo(b < 20 ? "control" : b < 50 ? "a" : "b");
                assertThat(flags.variant("checkout-layout", user).orElseThrow().key()).isEqualTo(variant);
                counts.merge(variant, 1, Integer::sum);
            }
            assertThat(counts.get("control") / 30_000.0).isBetween(0.19, 0.21);
            assertThat(counts.get("a") / 30_000.0).isBetween(0.29, 0.31);
            assertThat(counts.get("b") / 30_000.0).isBetween(0.49, 0.51);
            assertThat(flags.variant("checkout-layout", FlagContext.of("user-1")).orElseThrow().payload())
                    .isIn("one-page", "two-step", Map.of("steps", 3L));
            // a split needs a user id to pick a variant: without one the rule does not match
            assertThat(flags.evaluate("checkout-layout", FlagContext.anonymous()).reason()).isEqualTo(Reason.DEFAULT);
            // payloads that are not booleans: "enabled" is "not the off variant"
            String id = findUser(u -> bucket("checkout-layout:variant:" + u, 100) >= 50);
            assertThat(flags.isEnabled("checkout-layout", FlagContext.of(id), false)).isTrue();
            String control = findUser(u -> bucket("checkout-layout:variant:" + u, 100) < 20);
            assertThat(flags.isEnabled("checkout-layout", FlagContext.of(control), true)).isFalse();
        }
    }

    @Test
    void raisingTheRolloutOnlyAddsUsers() {
        Set<String> atTen = new HashSet<>();
        Set<String> atTwenty = new HashSet<>();
        for (int percent : new int[] {10, 20}) {
            String flag = TestFlagServer.flag("gradual", 1, true,
                    "[{\"rollout\": " + percent + ", \"serve\": {\"variant\": \"on\"}}]");
            try (GantryFlags flags = offline("", flag)) {
                for (int i = 0; i < 20_000; i++) {
                    String id = "user-" + i;
                    if (flags.isEnabled("gradual", FlagContext.of(id), false)) {
                        (percent == 10 ? atTen : atTwenty).add(id);
                    }
                }
            }
        }
        assertThat(atTwenty).containsAll(atTen);
        assertThat(atTen.size() / 20_000.0).isBetween(0.09, 0.11);
        assertThat(atTwenty.size() / 20_000.0).isBetween(0.19, 0.21);
    }

    @Test
    void rolloutsTakeHundredthsOfAPercent() {
        String flag = TestFlagServer.flag("tiny", 1, true, "[{\"rollout\": 0.01, \"serve\": {\"variant\": \"on\"}}]");
        try (GantryFlags flags = offline("", flag)) {
            String in = findUser(u -> bucket("tiny:" + u, 10_000) == 0);
            String out = findUser(u -> bucket("tiny:" + u, 10_000) == 1);
            assertThat(flags.isEnabled("tiny", FlagContext.of(in), false)).isTrue();
            assertThat(flags.isEnabled("tiny", FlagContext.of(out), false)).isFalse();
        }
    }

    @Test
    void aContextWithoutUserIdIsInFullRolloutsOnly() {
        String flags100 = TestFlagServer.flag("full", 1, true, "[{\"rollout\": 100, \"serve\": {\"variant\": \"on\"}}]");
        String flags99 = TestFlagServer.flag("almost", 1, true, "[{\"rollout\": 99.99, \"serve\": {\"variant\": \"on\"}}]");
        String flags0 = TestFlagServer.flag("none", 1, true, "[{\"rollout\": 0, \"serve\": {\"variant\": \"on\"}}]");
        try (GantryFlags flags = offline("", flags100, flags99, flags0)) {
            FlagContext anonymous = FlagContext.builder().attribute("country", "DE").build();
            assertThat(flags.isEnabled("full", anonymous, false)).isTrue();
            assertThat(flags.isEnabled("almost", anonymous, false)).isFalse();
            assertThat(flags.isEnabled("none", FlagContext.of("u-1"), false)).isFalse();
        }
    }

    @Test
    void aDisabledFlagServesItsOffVariant() {
        String flag = """
                {"key": "banner", "version": 2, "enabled": false,
                 "variants": [{"key": "red", "payload": "#f00"}, {"key": "grey", "payload": "#888"}],
                 "off_variant": "grey", "rules": [{"serve": {"variant": "red"}}]}""";
        try (GantryFlags flags = offline("", flag)) {
            FlagEvaluation evaluation = flags.evaluate("banner", FlagContext.of("u-1"));
            assertThat(evaluation.reason()).isEqualTo(Reason.DISABLED);
            assertThat(evaluation.variant().orElseThrow()).isEqualTo(new Variant("grey", "#888"));
            assertThat(evaluation.enabled()).isFalse();
            assertThat(flags.isEnabled("banner", FlagContext.of("u-1"), true)).isFalse();
        }
    }

    @Test
    void noMatchingRuleServesTheOffVariant() {
        String flag = TestFlagServer.flag("f", 1, true,
                "[{\"constraints\": [{\"attribute\": \"plan\", \"operator\": \"in\", \"values\": [\"pro\"]}],"
                        + " \"serve\": {\"variant\": \"on\"}}]");
        try (GantryFlags flags = offline("", flag)) {
            FlagEvaluation evaluation = flags.evaluate("f", FlagContext.builder("u-1").attribute("plan", "free").build());
            assertThat(evaluation.reason()).isEqualTo(Reason.DEFAULT);
            assertThat(evaluation.variant().orElseThrow().key()).isEqualTo("off");
            assertThat(flags.isEnabled("f", FlagContext.of("u-1"), true)).isFalse();
        }
    }

    @Test
    void variantsDefaultToABooleanPair() {
        String flag = "{\"key\": \"plain\", \"version\": 1, \"enabled\": true, \"rules\": [{\"serve\": {\"variant\": \"on\"}}]}";
        try (GantryFlags flags = offline("", flag)) {
            assertThat(flags.variant("plain", FlagContext.anonymous())).contains(new Variant("on", true));
        }
    }

    @Test
    void anUnknownFlagGetsTheCallersDefault() {
        try (GantryFlags flags = offline(EU_USERS, NEW_CHECKOUT)) {
            assertThat(flags.isEnabled("no-such-flag", FlagContext.of("u-42"), true)).isTrue();
            assertThat(flags.isEnabled("no-such-flag", FlagContext.of("u-42"), false)).isFalse();
            assertThat(flags.variant("no-such-flag", FlagContext.of("u-42"))).isEmpty();
            assertThat(flags.evaluate("no-such-flag", FlagContext.of("u-42")).reason()).isEqualTo(Reason.FLAG_NOT_FOUND);
        }
        try (GantryFlags empty = GantryFlags.offline("production").build()) {
            assertThat(empty.hasFlags()).isFalse();
            assertThat(empty.isEnabled("new-checkout", FlagContext.of("u-42"), true)).isTrue();
        }
    }

    @Test
    void anInvalidFlagGetsTheCallersDefaultAndSaysWhy() {
        String[] rules = {
            "[{\"serve\": {\"variant\": \"purple\"}}]",
            "[{\"serve\": {\"split\": [{\"variant\": \"on\", \"weight\": 60}, {\"variant\": \"off\", \"weight\": 30}]}}]",
            "[{\"rollout\": 101, \"serve\": {\"variant\": \"on\"}}]",
            "[{\"rollout\": 12.345, \"serve\": {\"variant\": \"on\"}}]",
            "[{\"serve\": {}}]",
            "[{\"constraints\": [{\"operator\": \"in\", \"values\": [\"x\"]}], \"serve\": {\"variant\": \"on\"}}]",
            "\"everyone\"",
        };
        for (String rule : rules) {
            try (GantryFlags flags = offline("", TestFlagServer.flag("broken", 4, true, rule), NEW_CHECKOUT)) {
                FlagEvaluation evaluation = flags.evaluate("broken", FlagContext.of("u-1"));
                assertThat(evaluation.reason()).as(rule).isEqualTo(Reason.INVALID_FLAG);
                assertThat(evaluation.error()).as(rule).isPresent();
                assertThat(evaluation.variant()).isEmpty();
                assertThat(flags.isEnabled("broken", FlagContext.of("u-1"), true)).isTrue();
                // the other flags are not affected
                assertThat(flags.isEnabled("new-checkout", FlagContext.of("u-42"), false)).isTrue();
            }
        }
        String unknownOff = "{\"key\": \"x\", \"enabled\": true, \"off_variant\": \"none\"}";
        try (GantryFlags flags = offline("", unknownOff)) {
            assertThat(flags.evaluate("x", FlagContext.anonymous()).error()).hasValueSatisfying(
                    e -> assertThat(e).contains("off_variant none"));
        }
    }

    @Test
    void contextsRefuseAUserIdAttribute() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FlagContext.builder().attribute("user_id", "u-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId(");
    }

    private static String findUser(java.util.function.Predicate<String> wanted) {
        for (int i = 0; ; i++) {
            if (wanted.test("user-" + i)) {
                return "user-" + i;
            }
        }
    }
}
