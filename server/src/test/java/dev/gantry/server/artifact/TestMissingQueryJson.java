package dev.gantry.server.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestMissingQueryJson {
    private static final String A = "sha256:" + "a".repeat(64);
    private static final String B = "sha256:" + "0123456789abcdef".repeat(4);

    @Test
    void readsTheDigestsInOrderEachOnceInOneForm() throws Exception {
        DigestList digests = read("{\"digests\": [\"" + B + "\", \"" + A.substring(7).toUpperCase() + "\", \"" + B.substring(7) + "\"]}");

        assertThat(texts(digests)).containsExactly(B, A);
        assertThat(read("{\"digests\": []}").size()).isZero();
    }

    @Test
    void writesTheAnswerAsTheMapperWould() throws Exception {
        DigestList missing = read("{\"digests\": [\"" + A + "\", \"" + B + "\"]}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        MissingQueryJson.writeMissing(missing, out);

        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(json).isEqualTo(Json.write(Map.of("missing", List.of(A, B))));
        // longer than the writer's buffer
        DigestList many = new DigestList();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            String digest = "sha256:" + String.format("%064x", i * 7919L);
            many.addText(digest);
            texts.add(digest);
        }
        assertThat(written(many)).isEqualTo(Json.write(Map.of("missing", texts)));
        JsonNode none = Json.mapper().readTree(written(new DigestList()));
        assertThat(none.get("missing").isArray()).isTrue();
        assertThat(none.get("missing")).isEmpty();
    }

    @Test
    void nameTheFirstValueThatIsNotADigestByItsIndex() {
        for (String bad : List.of("\"nope\"", "null", "42", "true", "{}", "[\"" + A + "\"]", "\"" + A + " \"")) {
            assertThatThrownBy(() -> read("{\"digests\": [\"" + A + "\", " + bad + ", \"also bad\"]}")).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.error()).isEqualTo("invalid_digest");
                        assertThat(e.details()).containsEntry("index", 1);
                    });
        }
    }

    @Test
    void refusesMoreThanTheLimitWhateverTheyHold() {
        List<String> values = new ArrayList<>(Collections.nCopies(MissingQueryJson.MAX_DIGESTS, "\"" + A + "\""));
        values.set(5, "\"not a digest\"");
        values.add("\"" + B + "\"");

        assertThatThrownBy(() -> read("{\"digests\": [" + String.join(",", values) + "]}"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.error()).isEqualTo("too_many_digests");
                });
    }

    @Test
    void aBodyWithoutDigestsOrWithOtherFieldsIsRefused() {
        for (String body : List.of("", "null", "{}", "{\"digests\": null}")) {
            assertThatThrownBy(() -> read(body)).as(body).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.error()).isEqualTo("missing_field");
                assertThat(e.details()).containsEntry("field", "digests");
            });
        }
        for (String body : List.of("[]", "\"digests\"", "{\"digests\": \"" + A + "\"}", "{\"digest\": []}")) {
            assertThatThrownBy(() -> read(body)).as(body).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.error()).isEqualTo("invalid_body");
            });
        }
        for (String body : List.of("{\"digests\": [\"" + A + "\"", "{\"digests\": [\"" + A + "\",,]}", "{digests: []}")) {
            assertThatThrownBy(() -> read(body)).as(body).isInstanceOf(JsonParseException.class);
        }
    }

    private static DigestList read(String json) throws IOException {
        return MissingQueryJson.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String written(DigestList digests) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MissingQueryJson.writeMissing(digests, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> texts(DigestList digests) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < digests.size(); i++) {
            texts.add(digests.text(i));
        }
        return texts;
    }
}
