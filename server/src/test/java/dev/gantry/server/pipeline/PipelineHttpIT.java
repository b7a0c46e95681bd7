package dev.gantry.server.pipeline;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The two pipeline routes through the real server: media types, the 422 body, and a file over the size limit. */
class PipelineHttpIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void servesTheSchemaToAnyoneAsSchemaJson() {
        Api.Reply reply = server.api().get("/api/pipeline/schema", null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/schema+json"));
        assertThat(reply.json().get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    @Test
    void validatesAYamlBody() {
        for (String type : new String[] {"text/yaml", "application/yaml", "text/plain", "application/octet-stream"}) {
            Api.Reply reply = server.api().postBytes("/api/pipeline/validate", TestServer.ADMIN_TOKEN, type,
                    TestPipelineParser.FULL.getBytes(UTF_8));

            assertThat(reply.status()).as(type).isEqualTo(200);
            assertThat(reply.json().get("valid").asBoolean()).isTrue();
            assertThat(reply.json().at("/pipeline/deploy/service").asText()).isEqualTo("shop");
        }
    }

    @Test
    void answersAnInvalidFileWith422ListingEveryProblem() {
        Api.Reply reply = server.api().postBytes("/api/pipeline/validate", TestServer.ADMIN_TOKEN, "text/yaml",
                "version: 1\nstages:\n  - name: build\n\tsteps: []\n".getBytes(UTF_8));

        assertThat(reply.status()).isEqualTo(422);
        JsonNode body = reply.json();
        assertThat(body.get("error").asText()).isEqualTo("invalid_pipeline");
        assertThat(body.get("message").asText()).isEqualTo("pipeline.yaml has 1 problem: line 4, column 1: tabs are not "
                + "allowed for indentation; use spaces");
        assertThat(body.at("/details/problems/0").toString()).isEqualTo("{\"line\":4,\"column\":1,\"rule\":\"tab_indentation\","
                + "\"message\":\"tabs are not allowed for indentation; use spaces\"}");
    }

    @Test
    void turnsDownAFileOverOneMebibyte() {
        Api.Reply reply = server.api().postBytes("/api/pipeline/validate", TestServer.ADMIN_TOKEN, "text/yaml",
                new byte[3 * PipelineParser.MAX_BYTES]);

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.json().at("/details/problems/0/rule").asText()).isEqualTo("too_large");
    }
}
