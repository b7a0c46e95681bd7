package dev.gantry.plugins.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TestQueryTemplate {
    private static final Map<String, String> VALUES = Map.of("service", "hello", "environment", "prod",
            "target", "eu-1", "version", "1.4.2");

    @Test
    void putsTheQuerysValuesIntoItsStringLiterals() {
        String promql = """
                sum(rate(http_requests_total{service="$service", env='$environment', target=`$target`,
                    version="$version", code=~"5.."}[1m]))""";

        assertThat(QueryTemplate.substitute(promql, VALUES, "errors")).isEqualTo("""
                sum(rate(http_requests_total{service="hello", env='prod', target=`eu-1`,
                    version="1.4.2", code=~"5.."}[1m]))""");
    }

    @Test
    void escapesEachValueForTheLiteralItLandsIn() {
        Map<String, String> hostile = Map.of("version", "v1\"} or vector(1) # \\ 'x'\n\t");

        assertThat(QueryTemplate.substitute("up{version=\"$version\"}", hostile, "m"))
                .isEqualTo("up{version=\"v1\\\"} or vector(1) # \\\\ 'x'\\n\\t\"}");
        // PromQL accepts an escaped quote only of the kind that opened the literal
        assertThat(QueryTemplate.substitute("up{version='$version'}", hostile, "m"))
                .isEqualTo("up{version='v1\"} or vector(1) # \\\\ \\'x\\'\\n\\t'}");
        assertThat(QueryTemplate.escape("a\u0001b\u007f", '"', "version", "m")).isEqualTo("a\\u0001b\\u007f");
        assertThat(QueryTemplate.escape("ü€", '"', "version", "m")).isEqualTo("ü€");
        assertThatThrownBy(() -> QueryTemplate.substitute("up{version=`$version`}", Map.of("version", "a`b"), "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"$version\"");
    }

    @Test
    void quotesEscapedInTheQueryDoNotEndItsLiterals() {
        assertThat(QueryTemplate.substitute("label_replace(up, \"x\", \"\\\"$version\", \"\", \"\")", VALUES, "m"))
                .isEqualTo("label_replace(up, \"x\", \"\\\"1.4.2\", \"\", \"\")");
        // in a raw string a backslash is just a character
        assertThat(QueryTemplate.substitute("up{path=~`\\\\`, version=\"$version\"}", VALUES, "m"))
                .isEqualTo("up{path=~`\\\\`, version=\"1.4.2\"}");
    }

    @Test
    void leavesDollarsThatNameNoPlaceholderInsideStrings() {
        assertThat(QueryTemplate.substitute("up{path=~\"/api$\", job=~\"$jobs|$\", v=\"$versions\"}", VALUES, "m"))
                .isEqualTo("up{path=~\"/api$\", job=~\"$jobs|$\", v=\"$versions\"}");
    }

    @Test
    void refusesPlaceholdersOutsideStringLiterals() {
        assertThatThrownBy(() -> QueryTemplate.substitute("up{version=$version}", VALUES, "latency"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metric latency").hasMessageContaining("$version outside a string literal")
                .hasMessageContaining("$environment, $service, $target, $version");
        assertThatThrownBy(() -> QueryTemplate.substitute("rate(x[$__interval])", VALUES, "m"))
                .hasMessageContaining("$__interval");
        // a comment is not a string: nothing in it is replaced, and nothing in it is refused
        assertThat(QueryTemplate.substitute("up # by $version\n+ up{v=\"$version\"}", VALUES, "m"))
                .isEqualTo("up # by $version\n+ up{v=\"1.4.2\"}");
    }

    @Test
    void anUnclosedLiteralIsNamed() {
        assertThatThrownBy(() -> QueryTemplate.substitute("up{version=\"$version}", VALUES, "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never closed");
    }
}
