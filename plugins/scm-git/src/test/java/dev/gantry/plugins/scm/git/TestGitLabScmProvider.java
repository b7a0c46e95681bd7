package dev.gantry.plugins.scm.git;

import static dev.gantry.plugins.scm.git.Deliveries.assertMalformed;
import static dev.gantry.plugins.scm.git.Deliveries.assertUnauthenticated;
import static dev.gantry.plugins.scm.git.Deliveries.payload;
import static dev.gantry.plugins.scm.git.Deliveries.request;
import static dev.gantry.plugins.scm.git.Deliveries.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.scm.PushEvent;
import dev.gantry.plugin.api.scm.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestGitLabScmProvider {
    private static final String SECRET = "gitlab-webhook-token-6c1a";
    private static final String EVENT_UUID = "13792a34-cac6-4fda-95a8-c58e00a3954e";
    private static final String IDEMPOTENCY_KEY = "f5083e7a-7a4c-4a5b-9c3b-6a8b5f1e9d21";
    private static final String COMMIT = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";

    private final GitLabScmProvider gitlab = new GitLabScmProvider(Deliveries.NO_SETTINGS, Deliveries.WORKSPACE);

    private static WebhookRequest delivery(String event, byte[] body, String token) {
        return request(body, "X-Gitlab-Event", event, "X-Gitlab-Token", token, "X-Gitlab-Event-UUID", EVENT_UUID,
                "X-Gitlab-Instance", "https://gitlab.example.com", "Content-Type", "application/json",
                "User-Agent", "GitLab/17.5.0");
    }

    @Test
    void isNamedGitlab() {
        assertThat(gitlab.provider()).isEqualTo("gitlab");
    }

    @Test
    void aPushWithTheSecretTokenIsABuildOfItsBranchAndCommit() {
        Optional<PushEvent> push = gitlab.parseWebhook(delivery("Push Hook", payload("gitlab/push.json"), SECRET), SECRET);

        assertThat(push).contains(new PushEvent("http://example.com/mike/diaspora.git", "master", COMMIT, EVENT_UUID));
    }

    @Test
    void prefersTheIdempotencyKeyThatStaysTheSameAcrossRetries() {
        WebhookRequest request = request(payload("gitlab/push.json"), "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Token", SECRET, "X-Gitlab-Event-UUID", EVENT_UUID, "Idempotency-Key", IDEMPOTENCY_KEY);

        assertThat(gitlab.parseWebhook(request, SECRET)).map(PushEvent::deliveryId).contains(IDEMPOTENCY_KEY);
    }

    @Test
    void aWrongTokenIsUnauthenticatedWithoutShowingTheExpectedOne() {
        byte[] body = payload("gitlab/push.json");

        assertUnauthenticated(() -> gitlab.parseWebhook(delivery("Push Hook", body, "guess"), SECRET),
                "the X-Gitlab-Token header does not match this repository's webhook secret");
        assertUnauthenticated(() -> gitlab.parseWebhook(delivery("Push Hook", body, SECRET + " "), SECRET),
                "the X-Gitlab-Token header does not match this repository's webhook secret");
        assertUnauthenticated(() -> gitlab.parseWebhook(delivery("Push Hook", body, SECRET.substring(1)), SECRET),
                "the X-Gitlab-Token header does not match this repository's webhook secret");
    }

    @Test
    void aMissingTokenIsUnauthenticated() {
        WebhookRequest request = request(payload("gitlab/push.json"), "X-Gitlab-Event", "Push Hook");

        assertUnauthenticated(() -> gitlab.parseWebhook(request, SECRET), "the X-Gitlab-Token header is missing");
    }

    @Test
    void withoutASecretNothingIsAuthenticated() {
        assertUnauthenticated(() -> gitlab.parseWebhook(delivery("Push Hook", payload("gitlab/push.json"), ""), ""),
                "no webhook secret is set for this repository, so no delivery can be verified");
    }

    @Test
    void aTagPushStartsNothing() {
        assertThat(gitlab.parseWebhook(delivery("Tag Push Hook", payload("gitlab/tag-push.json"), SECRET), SECRET)).isEmpty();
        // even were it announced as a push
        assertThat(gitlab.parseWebhook(delivery("Push Hook", payload("gitlab/tag-push.json"), SECRET), SECRET)).isEmpty();
    }

    @Test
    void aDeletedBranchStartsNothing() {
        assertThat(gitlab.parseWebhook(delivery("Push Hook", payload("gitlab/push-delete.json"), SECRET), SECRET)).isEmpty();
    }

    @Test
    void otherEventsStartNothing() {
        byte[] body = utf8("{\"object_kind\": \"merge_request\", \"event_type\": \"merge_request\"}");

        assertThat(gitlab.parseWebhook(delivery("Merge Request Hook", body, SECRET), SECRET)).isEmpty();
    }

    @Test
    void aSystemHookPushIsAPush() {
        assertThat(gitlab.parseWebhook(delivery("System Hook", payload("gitlab/push.json"), SECRET), SECRET))
                .map(PushEvent::commitSha).contains(COMMIT);
        assertThat(gitlab.parseWebhook(delivery("System Hook", utf8("{\"event_name\": \"project_create\"}"), SECRET),
                SECRET)).isEmpty();
    }

    @Test
    void fallsBackToTheLegacyRepositoryUrl() {
        byte[] legacy = utf8(new String(payload("gitlab/push.json"), StandardCharsets.UTF_8)
                .replace("\"git_http_url\": \"http://example.com/mike/diaspora.git\",\n    \"namespace\"",
                        "\"namespace\""));
        assertThat(new String(legacy, StandardCharsets.UTF_8)).containsOnlyOnce("\"git_http_url\"");

        assertThat(gitlab.parseWebhook(delivery("Push Hook", legacy, SECRET), SECRET)).map(PushEvent::repositoryUrl)
                .contains("http://example.com/mike/diaspora.git");
    }

    @Test
    void malformedJsonIsRejectedButNotAsUnauthenticated() {
        assertMalformed(() -> gitlab.parseWebhook(delivery("Push Hook", utf8("{\"object_kind\": \"push\""), SECRET), SECRET),
                "the webhook body is not valid JSON");
        assertMalformed(() -> gitlab.parseWebhook(delivery("Push Hook", utf8("{\"object_kind\": \"push\"}"), SECRET), SECRET),
                "the push payload has no ref");
    }

    @Test
    void withoutADeliveryIdTheBodyNamesTheDelivery() {
        byte[] body = payload("gitlab/push.json");
        WebhookRequest request = request(body, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET);

        String id = gitlab.parseWebhook(request, SECRET).orElseThrow().deliveryId();
        assertThat(id).matches("sha256:[0-9a-f]{64}");
        assertThat(gitlab.parseWebhook(request(body, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET), SECRET)
                .orElseThrow().deliveryId()).isEqualTo(id);
    }

    @Test
    void listsTheProjectAndLegacyRepositoryUrls() {
        assertThat(gitlab.repositoryUrls(request(payload("gitlab/push.json")))).containsExactly(
                "http://example.com/mike/diaspora.git",
                "git@example.com:mike/diaspora.git",
                "http://example.com/mike/diaspora");
        assertMalformed(() -> gitlab.repositoryUrls(request(utf8(""))), "the webhook body is not a JSON object");
    }
}
