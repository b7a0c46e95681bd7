package dev.gantry.plugins.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestJson {
    @Test
    void readsEveryKindOfValue() {
        Object value = Json.parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\\"\\u00fc\\n\"], \"b\": {}} ");

        assertThat(value).isEqualTo(Map.of("a", Arrays.asList(new BigDecimal("1"), new BigDecimal("-2.5e3"), true,
                false, null, "x\"ü\n"), "b", Map.of()));
        assertThat(Json.parse("[]")).isEqualTo(List.of());
    }

    @Test
    void refusesWhatIsNotJson() {
        for (String text : List.of("", "{", "[1,]", "{\"a\" 1}", "\"open", "nul", "1 2", "[-]", "{\"a\":1}x")) {
            assertThatThrownBy(() -> Json.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("malformed JSON");
        }
        assertThatThrownBy(() -> Json.parse("[".repeat(100) + "]".repeat(100)))
                .hasMessageContaining("nested too deeply");
    }
}
