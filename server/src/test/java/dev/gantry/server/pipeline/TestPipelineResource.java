package dev.gantry.server.pipeline;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestPipelineResource {
    private final PipelineResource resource = new PipelineResource(new PipelineSchema());

    @Test
    void answersAValidFileWithThePipelineAsJson() throws Exception {
        PipelineResource.Validation validation = resource.validate(body(TestPipelineParser.FULL));

        JsonNode json = Json.mapper().readTree(Json.write(validation));
        assertThat(json.get("valid").asBoolean()).isTrue();
        assertThat(json.at("/pipeline/cancel_superseded").asBoolean()).isTrue();
        assertThat(json.at("/pipeline/stages/0/steps/0/command").toString()).isEqualTo("[\"sh\",\"-c\",\"make build\"]");
        assertThat(json.at("/pipeline/stages/1/kind").asText()).isEqualTo("test");
        assertThat(json.at("/pipeline/deploy/strategy/steps/0/hold").asText()).isEqualTo("5m");
        assertThat(json.at("/pipeline/limits/memory_bytes").asLong()).isEqualTo(512L << 20);
    }

    @Test
    void answersAnInvalidFileWith422AndEveryProblem() {
        ApiException failure = catchThrowableOfType(ApiException.class,
                () -> resource.validate(body("version: 1\nstages: [{name: a, steps: [{name: b, run: c, timout: 5m}]}]\nbuilder: dokcer\n")));

        assertThat(failure.status()).isEqualTo(422);
        assertThat(failure.error()).isEqualTo("invalid_pipeline");
        assertThat(failure.getMessage()).startsWith("pipeline.yaml has 2 problems; the first: line 2, column 46: unknown key 'timout'");
        @SuppressWarnings("unchecked")
        List<PipelineProblem> problems = (List<PipelineProblem>) failure.details().get("problems");
        assertThat(problems).extracting(PipelineProblem::rule).containsExactly("unknown_key", "invalid_value");
        assertThat(Json.write(problems.get(1))).isEqualTo("{\"line\":3,\"column\":10,\"rule\":\"invalid_value\",\"message\":"
                + "\"builder: 'dokcer' is not one of sandbox, docker; did you mean 'docker'?\"}");
    }

    @Test
    void readsNoMoreThanOneByteBeyondTheLimit() {
        byte[] large = new byte[5 * PipelineParser.MAX_BYTES];
        ByteArrayInputStream body = new ByteArrayInputStream(large);

        ApiException failure = catchThrowableOfType(ApiException.class, () -> resource.validate(body));

        assertThat(failure.getMessage()).contains("larger than 1 MiB");
        assertThat(body.available()).isEqualTo(large.length - PipelineParser.MAX_BYTES - 1);
    }

    @Test
    void servesTheSchema() throws Exception {
        JsonNode schema = Json.mapper().readTree((byte[]) resource.schema().getEntity());

        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.at("/required").toString()).isEqualTo("[\"version\",\"stages\"]");
    }

    private static InputStream body(String yaml) {
        return new ByteArrayInputStream(yaml.getBytes(UTF_8));
    }
}
