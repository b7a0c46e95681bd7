package dev.gantry.plugins.scm.git;

import static dev.gantry.plugins.scm.git.Deliveries.assertMalformed;
import static dev.gantry.plugins.scm.git.Deliveries.assertUnauthenticated;
import static dev.gantry.plugins.scm.git.Deliveries.hmac;
import static dev.gantry.plugins.scm.git.Deliveries.payload;
import static dev.gantry.plugins.scm.git.Deliveries.request;
import static dev.gantry.plugins.scm.git.Deliveries.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.scm.PushEvent;
import dev.gantry.plugin.api.scm.WebhookRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TestGiteaScmProvider {
    private static final String SECRET = "gitea-hook-secret";
    private static final String DELIVERY = "9f4c5d36-8b3e-4f57-a3e6-2d1c8e7b6a50";
    private static final String COMMIT = "bffeb74224043ba2feb48d137756c8a9331c449a";

    private final GiteaScmProvider gitea = new GiteaScmProvider(Deliveries.NO_SETTINGS, Deliveries.WORKSPACE);

    private static WebhookRequest delivery(String event, byte[] body, String signature) {
        return request(body, "X-Gitea-Event", event, "X-Gitea-Event-Type", event, "X-Gitea-Delivery", DELIVERY,
                "X-Gitea-Signature", signature, "Content-Type", "application/json");
    }

    private static WebhookRequest signed(String event, byte[] body) {
        return delivery(event, body, hmac(SECRET, body));
    }

    @Test
    void isNamedGitea() {
        assertThat(gitea.provider()).isEqualTo("gitea");
    }

    @Test
    void aSignedPushIsABuildOfItsBranchAndCommit() {
        assertThat(gitea.parseWebhook(signed("push", payload("gitea/push.json")), SECRET))
                .contains(new PushEvent("http://localhost:3000/gitea/webhooks.git", "develop", COMMIT, DELIVERY));
    }

    @Test
    void aWrongSignatureIsUnauthenticatedWithoutShowingTheExpectedOne() {
        byte[] body = payload("gitea/push.json");

        assertUnauthenticated(() -> gitea.parseWebhook(delivery("push", body, hmac("guess", body)), SECRET),
                "the X-Gitea-Signature header does not match the body signed with this repository's webhook secret");
        assertUnauthenticated(() -> gitea.parseWebhook(delivery("push", body, "sha256=" + hmac(SECRET, body)), SECRET),
                "the X-Gitea-Signature header does not match the body signed with this repository's webhook secret");
    }

    @Test
    void aMissingSignatureIsUnauthenticated() {
        WebhookRequest request = request(payload("gitea/push.json"), "X-Gitea-Event", "push");

        assertUnauthenticated(() -> gitea.parseWebhook(request, SECRET), "the X-Gitea-Signature header is missing");
    }

    @Test
    void theSignatureOfAnotherBodyIsUnauthenticated() {
        String other = hmac(SECRET, payload("gitea/push-tag.json"));

        assertUnauthenticated(() -> gitea.parseWebhook(delivery("push", payload("gitea/push.json"), other), SECRET),
                "the X-Gitea-Signature header does not match the body signed with this repository's webhook secret");
    }

    @Test
    void withoutASecretNothingIsAuthenticated() {
        byte[] body = payload("gitea/push.json");

        assertUnauthenticated(() -> gitea.parseWebhook(delivery("push", body, hmac(SECRET, body)), ""),
                "no webhook secret is set for this repository, so no delivery can be verified");
    }

    @Test
    void aTagPushStartsNothing() {
        assertThat(gitea.parseWebhook(signed("push", payload("gitea/push-tag.json")), SECRET)).isEmpty();
    }

    @Test
    void aDeletedBranchStartsNothing() {
        assertThat(gitea.parseWebhook(signed("delete", payload("gitea/delete.json")), SECRET)).isEmpty();
        assertThat(gitea.parseWebhook(signed("push", payload("gitea/push-delete.json")), SECRET)).isEmpty();
    }

    @Test
    void malformedJsonIsRejectedButNotAsUnauthenticated() {
        assertMalformed(() -> gitea.parseWebhook(signed("push", utf8("{\"ref\": refs/heads/main}")), SECRET),
                "the webhook body is not valid JSON");
        assertMalformed(() -> gitea.parseWebhook(signed("push", utf8("{\"ref\": \"refs/heads/main\", \"after\": \""
                + COMMIT + "\"}")), SECRET), "the push payload names no repository");
    }

    @Test
    void readsAFormEncodedDelivery() {
        String json = new String(payload("gitea/push.json"), StandardCharsets.UTF_8);
        byte[] form = utf8("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8));
        WebhookRequest request = request(form, "Content-Type", "application/x-www-form-urlencoded",
                "X-Gitea-Event", "push", "X-Gitea-Delivery", DELIVERY, "X-Gitea-Signature", hmac(SECRET, form));

        assertThat(gitea.parseWebhook(request, SECRET)).map(PushEvent::commitSha).contains(COMMIT);
    }

    @Test
    void withoutADeliveryIdTheBodyNamesTheDelivery() {
        byte[] body = payload("gitea/push.json");
        WebhookRequest request = request(body, "X-Gitea-Event", "push", "X-Gitea-Signature", hmac(SECRET, body));

        assertThat(gitea.parseWebhook(request, SECRET)).map(PushEvent::deliveryId).hasValueSatisfying(id ->
                assertThat(id).matches("sha256:[0-9a-f]{64}"));
    }

    @Test
    void listsTheRepositoryUrls() {
        assertThat(gitea.repositoryUrls(request(payload("gitea/push.json")))).containsExactly(
                "http://localhost:3000/gitea/webhooks.git",
                "ssh://gitea@localhost:2222/gitea/webhooks.git",
                "http://localhost:3000/gitea/webhooks");
        assertMalformed(() -> gitea.repositoryUrls(request(utf8("{"))), "the webhook body is not valid JSON");
    }
}
