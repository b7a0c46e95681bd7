package dev.gantry.plugins.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.plugin.api.notify.Notification;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestSlackMessage {
    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2025-03-01T12:00:00Z");

    @Test
    void headlineLinksTheTitleAndFollowsWithTheText() throws Exception {
        JsonNode body = parse(new Notification("build.failed", "Build #12 failed", "Step test exited with 1",
                "https://gantry.example.com/builds/12", Map.of(), AT));

        assertThat(body.get("text").asText())
                .isEqualTo("*<https://gantry.example.com/builds/12|Build #12 failed>*\nStep test exited with 1");
        assertThat(body.at("/blocks/0/type").asText()).isEqualTo("section");
        assertThat(body.at("/blocks/0/text/type").asText()).isEqualTo("mrkdwn");
        assertThat(body.at("/blocks/0/text/text").asText()).isEqualTo(body.get("text").asText());
    }

    @Test
    void fieldsAreSlackFieldsSortedByName() throws Exception {
        JsonNode body = parse(new Notification("deploy.rolled_back", "Rolled back", "", "",
                Map.of("service", "shop", "environment", "production"), AT));

        assertThat(body.get("text").asText()).isEqualTo("*Rolled back*");
        JsonNode fields = body.at("/blocks/1/fields");
        assertThat(fields.size()).isEqualTo(2);
        assertThat(fields.get(0).get("type").asText()).isEqualTo("mrkdwn");
        assertThat(fields.get(0).get("text").asText()).isEqualTo("*environment*\nproduction");
        assertThat(fields.get(1).get("text").asText()).isEqualTo("*service*\nshop");
    }

    @Test
    void endsWithTheEventAndWhenItHappened() throws Exception {
        JsonNode body = parse(new Notification("approval.waiting", "Approval needed", "", "", Map.of(), AT));

        JsonNode last = body.get("blocks").get(body.get("blocks").size() - 1);
        assertThat(last.get("type").asText()).isEqualTo("context");
        assertThat(last.at("/elements/0/text").asText()).isEqualTo("approval.waiting · 2025-03-01T12:00:00Z");
    }

    @Test
    void splitsMoreThanTenFieldsIntoSectionsSlackAccepts() throws Exception {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < 23; i++) {
            fields.put("field" + (char) ('a' + i), "value " + i);
        }
        JsonNode body = parse(new Notification("flag.stale", "Stale flags", "", "", fields, AT));

        assertThat(body.get("blocks").size()).isEqualTo(1 + 3 + 1);
        assertThat(body.at("/blocks/1/fields").size()).isEqualTo(10);
        assertThat(body.at("/blocks/2/fields").size()).isEqualTo(10);
        assertThat(body.at("/blocks/3/fields").size()).isEqualTo(3);
        assertThat(body.at("/gantry/fields").size()).isEqualTo(23);
    }

    @Test
    void escapesSlackMarkupInTextButKeepsPlainValuesForPrograms() throws Exception {
        Notification notification = new Notification("build.failed", "<b>Tom & Jerry</b>", "a > b",
                "https://gantry.example.com/builds?id=1&x=a|b", Map.of("branch", "<main>"), AT);
        JsonNode body = parse(notification);

        assertThat(body.get("text").asText()).isEqualTo(
                "*<https://gantry.example.com/builds?id=1&amp;x=a%7Cb|&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;>*\na &gt; b");
        assertThat(body.at("/blocks/1/fields/0/text").asText()).isEqualTo("*branch*\n&lt;main&gt;");
        assertThat(body.at("/gantry/title").asText()).isEqualTo("<b>Tom & Jerry</b>");
        assertThat(body.at("/gantry/link").asText()).isEqualTo("https://gantry.example.com/builds?id=1&x=a|b");
        assertThat(body.at("/gantry/fields/branch").asText()).isEqualTo("<main>");
    }

    @Test
    void carriesTheNotificationForProgramsInSnakeCase() throws Exception {
        JsonNode body = parse(new Notification("build.succeeded", "Build #3 succeeded", "All green",
                "https://gantry.example.com/builds/3", Map.of("commit", "abc123"), AT));

        JsonNode gantry = body.get("gantry");
        assertThat(gantry.get("event").asText()).isEqualTo("build.succeeded");
        assertThat(gantry.get("title").asText()).isEqualTo("Build #3 succeeded");
        assertThat(gantry.get("text").asText()).isEqualTo("All green");
        assertThat(gantry.get("link").asText()).isEqualTo("https://gantry.example.com/builds/3");
        assertThat(gantry.get("fields").get("commit").asText()).isEqualTo("abc123");
        assertThat(gantry.get("occurred_at").asText()).isEqualTo("2025-03-01T12:00:00Z");
    }

    @Test
    void cutsTextsSlackWouldRefuseAsTooLong() throws Exception {
        JsonNode body = parse(new Notification("build.failed", "Build failed", "x".repeat(5000), "",
                Map.of("log", "y".repeat(3000)), AT));

        assertThat(body.at("/blocks/0/text/text").asText()).hasSize(SlackMessage.MAX_SECTION_TEXT).endsWith("…");
        assertThat(body.at("/blocks/1/fields/0/text").asText()).hasSize(SlackMessage.MAX_FIELD_TEXT).endsWith("…");
        assertThat(body.get("text").asText()).hasSizeGreaterThan(5000);
        assertThat(body.at("/gantry/text").asText()).hasSize(5000);
    }

    private static JsonNode parse(Notification notification) throws Exception {
        return JACKSON.readTree(SlackMessage.json(notification));
    }
}
