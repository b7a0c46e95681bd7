package dev.gantry.server.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.server.http.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestArtifactDigest {
    private static final String HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void acceptsPrefixedOrBareHexInEitherCaseAndWritesOneForm() {
        for (String text : List.of("sha256:" + HEX, HEX, HEX.toUpperCase(), "SHA256:" + HEX.toUpperCase())) {
            assertThat(ArtifactDigest.parse(text).toString()).as(text).isEqualTo("sha256:" + HEX);
        }
    }

    @Test
    void refusesAnythingElseWithA400ThatShowsTheForm() {
        for (String text : List.of("", "sha256:", "sha1:" + HEX, HEX.substring(1), HEX + "0", "sha256:../" + HEX.substring(3),
                HEX.substring(0, 63) + "g", "sha256: " + HEX.substring(1))) {
            assertThatThrownBy(() -> ArtifactDigest.parse(text)).as(text)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.error()).isEqualTo("invalid_digest");
                        assertThat(e.getMessage()).contains("sha256:<64 hex digits>");
                    });
        }
        assertThatThrownBy(() -> ArtifactDigest.parse(null)).isInstanceOf(ApiException.class);
    }

    @Test
    void aVeryLongNameIsNotEchoedBackWhole() {
        String huge = "x".repeat(10_000);
        assertThatThrownBy(() -> ArtifactDigest.parse(huge)).satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }
}
