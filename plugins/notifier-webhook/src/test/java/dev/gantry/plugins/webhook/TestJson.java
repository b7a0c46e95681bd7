package dev.gantry.plugins.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestJson {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertThat(Json.write("say \"hi\"\\now\nline\r\ttab\b\f\u0001\u001f"))
                .isEqualTo("\"say \\\"hi\\\"\\\\now\\nline\\r\\ttab\\b\\f\\u0001\\u001f\"");
    }

    @Test
    void keepsUnicodeAsWrittenAndEscapesWhatUtf8CannotCarry() {
        assertThat(Json.write("héllo ✓ 🚀")).isEqualTo("\"héllo ✓ 🚀\"");
        assertThat(Json.write("lone \ud800 high, lone \udc00 low")).isEqualTo("\"lone \\ud800 high, lone \\udc00 low\"");
        assertThat(Json.write("line\u2028separator")).isEqualTo("\"line\\u2028separator\"");
    }

    @Test
    void writesNestedMapsAndListsInOrder() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", List.of("x", 1, true));
        value.put("a", Map.of("k", "v"));
        value.put("empty", List.of());
        value.put("none", null);
        assertThat(Json.write(value)).isEqualTo("{\"b\":[\"x\",1,true],\"a\":{\"k\":\"v\"},\"empty\":[],\"none\":null}");
    }

    @Test
    void everyStringSurvivesARoundTripThroughAnotherParser() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x300; c++) {
            all.append(c);
        }
        all.append("\"\\/🚀\u2028\u2029");
        String text = all.toString();
        Map<String, Object> value = Map.of("key \"with\" quotes\n", text);

        JsonNode parsed = JACKSON.readTree(Json.write(value).getBytes(StandardCharsets.UTF_8));

        assertThat(parsed.get("key \"with\" quotes\n").asText()).isEqualTo(text);
    }

    @Test
    void refusesTypesItDoesNotWrite() {
        assertThatThrownBy(() -> Json.write(Map.of("x", 1.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Double");
    }
}
