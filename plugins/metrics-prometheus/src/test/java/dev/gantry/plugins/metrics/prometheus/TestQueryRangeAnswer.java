package dev.gantry.plugins.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.metrics.Sample;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestQueryRangeAnswer {
    private static final String WHAT = "the query of metric latency for version v2 (q)";

    @Test
    void readsOneSamplePerPointOfTheSeries() {
        QueryRangeAnswer answer = QueryRangeAnswer.read("""
                {"status":"success","data":{"resultType":"matrix","result":[
                  {"metric":{"version":"v2"},"values":[[1700000000,"0.25"],[1700000010.5,"1e-3"],[1700000020.781,"3"]]}
                ]}}""", WHAT);

        assertThat(answer.samples()).containsExactly(
                new Sample(Instant.parse("2023-11-14T22:13:20Z"), 0.25),
                new Sample(Instant.parse("2023-11-14T22:13:30.500Z"), 0.001),
                new Sample(Instant.parse("2023-11-14T22:13:40.781Z"), 3.0));
        assertThat(answer.warnings()).isEmpty();
    }

    @Test
    void keepsNotANumberAndInfinitiesAsTheyAre() {
        QueryRangeAnswer answer = QueryRangeAnswer.read("""
                {"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[
                  [1,"NaN"],[2,"+Inf"],[3,"-Inf"],[4,"0"]]}]},"warnings":["partial answer"]}""", WHAT);

        assertThat(answer.samples()).extracting(Sample::value)
                .containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0);
        assertThat(answer.warnings()).containsExactly("partial answer");
    }

    @Test
    void noSeriesIsNoSamples() {
        assertThat(QueryRangeAnswer.read(
                "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}", WHAT).samples())
                .isEmpty();
    }

    @Test
    void severalSeriesAreRefusedWithWhatToDoAboutIt() {
        assertThatThrownBy(() -> QueryRangeAnswer.read("""
                {"status":"success","data":{"resultType":"matrix","result":[
                  {"metric":{"code":"200","version":"v2"},"values":[[1,"1"]]},
                  {"metric":{"code":"500","version":"v2"},"values":[[1,"1"]]}]}}""", WHAT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metric latency for version v2")
                .hasMessageContaining("returned 2 series ({code=\"200\", version=\"v2\"}, "
                        + "{code=\"500\", version=\"v2\"})")
                .hasMessageContaining("one series per version").hasMessageContaining("sum(");
    }

    @Test
    void anAnswerThatBreaksTheApiIsPrometheussFault() {
        assertThatThrownBy(() -> QueryRangeAnswer.read("<html>proxy error</html>", WHAT))
                .isInstanceOf(ExtensionFailedException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> QueryRangeAnswer.read(
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}", WHAT))
                .isInstanceOf(ExtensionFailedException.class).hasMessageContaining("vector");
        assertThatThrownBy(() -> QueryRangeAnswer.read("""
                {"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}}""", WHAT))
                .isInstanceOf(ExtensionFailedException.class).hasMessageContaining("[<time>, \"<value>\"]");
        assertThatThrownBy(() -> QueryRangeAnswer.read("""
                {"status":"error","errorType":"bad_data","error":"parse error"}""", WHAT))
                .isInstanceOf(ExtensionFailedException.class).hasMessageContaining("bad_data: parse error");
    }

    @Test
    void anErrorIsReadFromPrometheussJsonOrElseFromTheText() {
        assertThat(QueryRangeAnswer.error("""
                {"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \\"}\\""}"""))
                .isEqualTo("bad_data: 1:5: parse error: unexpected \"}\"");
        assertThat(QueryRangeAnswer.error("{\"status\":\"error\",\"error\":\"too many samples\"}"))
                .isEqualTo("too many samples");
        assertThat(QueryRangeAnswer.error("  Bad Gateway\n")).isEqualTo("Bad Gateway");
        assertThat(QueryRangeAnswer.error("")).isEqualTo("(an empty answer)");
        assertThat(QueryRangeAnswer.error("x".repeat(400))).hasSize(301).endsWith("…");
    }

    @Test
    void timesAreReadToTheMillisecond() {
        assertThat(QueryRangeAnswer.instant(new BigDecimal("1700000000.781")))
                .isEqualTo(Instant.ofEpochMilli(1700000000781L));
        assertThat(QueryRangeAnswer.instant(new BigDecimal("1700000000"))).isEqualTo(Instant.ofEpochSecond(1700000000));
        assertThatThrownBy(() -> QueryRangeAnswer.value("twelve")).hasMessageContaining("'twelve'");
        assertThat(List.of(QueryRangeAnswer.value("-0.5"), QueryRangeAnswer.value("1.5e+3")))
                .containsExactly(-0.5, 1500.0);
    }
}
