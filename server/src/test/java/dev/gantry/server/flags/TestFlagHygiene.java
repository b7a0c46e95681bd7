package dev.gantry.server.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestFlagHygiene {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Optional<String> serves(String environment) {
        ObjectNode flag = FlagValidation.flag(parse("{\"key\":\"f\",\"environments\":{\"production\":" + environment + "}}"),
                Set.of("beta"), null);
        return FlagHygiene.servesEveryone(flag.at("/environments/production"));
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDisabledEnvironmentIsSettledOff() {
        assertThat(serves("{\"enabled\":false,\"rules\":[{\"rollout\":50,\"serve\":{\"variant\":\"on\"}}]}")).contains("off (disabled)");
    }

    @Test
    void anUnrestrictedRuleServingOneVariantIsAFullRollout() {
        assertThat(serves("{\"enabled\":true,\"rules\":[{\"serve\":{\"variant\":\"on\"}}]}")).contains("everyone gets 'on'");
        assertThat(serves("{\"enabled\":true,\"rules\":[{\"rollout\":10,\"serve\":{\"variant\":\"on\"}},{\"serve\":{\"variant\":\"on\"}}]}"))
                .as("rules before it serve the same").contains("everyone gets 'on'");
        assertThat(serves("{\"enabled\":true,\"rules\":[{\"serve\":{\"variant\":\"on\"}},{\"serve\":{\"variant\":\"off\"}}]}"))
                .as("rules after it are never reached").contains("everyone gets 'on'");
    }

    @Test
    void anEnabledEnvironmentWithoutRulesServesItsOffVariantToEveryone() {
        assertThat(serves("{\"enabled\":true}")).contains("everyone gets the off variant 'off'");
    }

    @Test
    void partialRolloutsTargetingAndSplitsAreStillInProgress() {
        assertThat(serves("{\"enabled\":true,\"rules\":[{\"rollout\":99.99,\"serve\":{\"variant\":\"on\"}}]}")).isEmpty();
        assertThat(serves("{\"enabled\":true,\"rules\":[{\"constraints\":[{\"attribute\":\"user_id\",\"operator\":\"in\","
                + "\"values\":[\"u-1\"]}],\"serve\":{\"variant\":\"on\"}}]}")).isEmpty();
        assertThat(serves("{\"enabled\":true,\"rules\":[{\"segments\":[\"beta\"],\"serve\":{\"variant\":\"on\"}},"
                + "{\"serve\":{\"variant\":\"off\"}}]}")).isEmpty();
        assertThat(serves("{\"enabled\":true,\"rules\":[{\"serve\":{\"split\":[{\"variant\":\"on\",\"weight\":100}]}}]}")).isEmpty();
    }

    @Test
    void aFlagIsSettledOnlyWhenEveryEnvironmentIs() {
        ObjectNode settled = (ObjectNode) parse("{\"production\":{\"enabled\":true,\"off_variant\":\"off\",\"rules\":"
                + "[{\"constraints\":[],\"segments\":[],\"rollout\":100,\"serve\":{\"variant\":\"on\"}}]},\"staging\":{\"enabled\":false}}");
        assertThat(FlagHygiene.settled(settled)).contains("production: everyone gets 'on'; staging: off (disabled)");
        settled.with("staging").put("enabled", true).putArray("rules").addObject().put("rollout", 5).putObject("serve").put("variant", "on");
        assertThat(FlagHygiene.settled(settled)).isEmpty();
    }
}
