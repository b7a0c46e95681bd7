package dev.gantry.plugins.deployer.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestJson {
    @Test
    void readsWhatTheRouterAnswers() {
        Map<String, Object> state = Json.parseObject("""
                {"fence": 7, "versions": {"v1": {"weight": 90, "backends": ["127.0.0.1:4001", "127.0.0.1:4002"]},
                 "v2": {"weight": 10, "backends": []}}}""");
        assertThat(state.get("fence")).isEqualTo(7L);
        assertThat(Json.object(Json.object(state, "versions"), "v1"))
                .containsEntry("weight", 90L)
                .containsEntry("backends", List.of("127.0.0.1:4001", "127.0.0.1:4002"));

        Map<String, Object> samples = Json.parseObject(
                "{\"version\":\"v1\",\"samples\":[[1700000000000,1.25,200],[1700000000001,3e2,503]]}");
        assertThat((Object) Json.array(samples, "samples")).isEqualTo(List.of(List.of(1700000000000L, 1.25, 200L),
                List.of(1700000000001L, 300.0, 503L)));
    }

    @Test
    void readsSampleRowsIntoPrimitiveArrays() {
        List<double[]> rows = Json.numberRows(
                "{\"version\":\"samples\", \"samples\": [ [1700000000123, 0.5, 200] ,[1700000000124,12,503]], \"x\": {}}",
                "samples");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsExactly(1700000000123.0, 0.5, 200.0);
        assertThat((long) rows.get(1)[0]).isEqualTo(1700000000124L);
        assertThat(Json.numberRows("{\"samples\":[]}", "samples")).isEmpty();
        assertThat(Json.numberRows("{}", "samples")).isEmpty();
        assertThatThrownBy(() -> Json.numberRows("{\"samples\":[[1,\"a\"]]}", "samples"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.numberRows("{\"samples\":[[1,2]]", "samples"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesWhatItReadsBack() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ newline \n tab \t control \u0001 é");
        value.put("number", 42L);
        value.put("flag", true);
        value.put("nothing", null);
        value.put("list", List.of(1L, "two", List.of()));
        assertThat(Json.parse(Json.write(value))).isEqualTo(value);
        assertThat(Json.parse("\"\\u00e9\\/\"")).isEqualTo("é/");
    }

    @Test
    void refusesMalformedDocuments() {
        for (String malformed : List.of("", "{", "{\"a\" 1}", "[1,]", "{\"a\":1} x", "\"open", "tru", "-", "{1:2}",
                "[".repeat(100) + "]".repeat(100))) {
            assertThatThrownBy(() -> Json.parse(malformed)).as(malformed).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Json.parseObject("[]")).hasMessageContaining("object");
        assertThatThrownBy(() -> Json.string(Map.of("pid", 1L), "admin_token")).hasMessageContaining("admin_token");
    }
}
