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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestGitHubScmProvider {
    private static final String SECRET = "It's a Secret to Everybody";
    private static final String DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    private static final String COMMIT = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    private final GitHubScmProvider github = new GitHubScmProvider(Deliveries.NO_SETTINGS, Deliveries.WORKSPACE);

    private static WebhookRequest delivery(String event, byte[] body, String signature) {
        return request(body, "X-GitHub-Event", event, "X-GitHub-Delivery", DELIVERY,
                "X-Hub-Signature-256", signature, "Content-Type", "application/json", "User-Agent", "GitHub-Hookshot/044aadd");
    }

    private static WebhookRequest signed(String event, byte[] body) {
        return delivery(event, body, "sha256=" + hmac(SECRET, body));
    }

    @Test
    void isNamedGithub() {
        assertThat(github.provider()).isEqualTo("github");
    }

    @Test
    void aSignedPushIsABuildOfItsBranchAndCommit() {
        Optional<PushEvent> push = github.parseWebhook(signed("push", payload("github/push.json")), SECRET);

        assertThat(push).contains(new PushEvent("https://github.com/Codertocat/Hello-World.git", "main", COMMIT, DELIVERY));
    }

    @Test
    void checksGitHubsOwnExampleSignature() {
        // the example in GitHub's "Validating webhook deliveries"
        WebhookRequest request = request(utf8("Hello, World!"),
                "X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");

        Webhooks.verifyHmacSha256(request, SECRET, GitHubScmProvider.SIGNATURE_HEADER, "sha256=");
    }

    @Test
    void readsBranchNamesWithSlashes() {
        byte[] body = utf8(new String(payload("github/push.json"), StandardCharsets.UTF_8)
                .replace("\"refs/heads/main\"", "\"refs/heads/release/2025.03\""));

        assertThat(github.parseWebhook(signed("push", body), SECRET)).map(PushEvent::branch).contains("release/2025.03");
    }

    @Test
    void aWrongSignatureIsUnauthenticatedWithoutShowingTheExpectedOne() {
        byte[] body = payload("github/push.json");

        assertUnauthenticated(() -> github.parseWebhook(delivery("push", body, "sha256=" + hmac("guess", body)), SECRET),
                "the X-Hub-Signature-256 header does not match the body signed with this repository's webhook secret");
        assertUnauthenticated(() -> github.parseWebhook(delivery("push", body, "sha256=not-hex"), SECRET),
                "the X-Hub-Signature-256 header does not match the body signed with this repository's webhook secret");
        assertUnauthenticated(() -> github.parseWebhook(delivery("push", body, hmac(SECRET, body)), SECRET),
                "the X-Hub-Signature-256 header does not match the body signed with this repository's webhook secret");
    }

    @Test
    void aMissingSignatureIsUnauthenticated() {
        WebhookRequest unsigned = request(payload("github/push.json"), "X-GitHub-Event", "push",
                "X-GitHub-Delivery", DELIVERY);

        assertUnauthenticated(() -> github.parseWebhook(unsigned, SECRET), "the X-Hub-Signature-256 header is missing");
    }

    @Test
    void theSignatureOfAnotherBodyIsUnauthenticated() {
        String otherSignature = "sha256=" + hmac(SECRET, payload("github/push-tag.json"));

        assertUnauthenticated(() -> github.parseWebhook(delivery("push", payload("github/push.json"), otherSignature), SECRET),
                "the X-Hub-Signature-256 header does not match the body signed with this repository's webhook secret");
    }

    @Test
    void withoutASecretNothingIsAuthenticated() {
        byte[] body = payload("github/push.json");

        // an HMAC key cannot be empty; whatever was signed with, an empty secret verifies nothing
        String signature = "sha256=" + hmac(SECRET, body);

        assertUnauthenticated(() -> github.parseWebhook(delivery("push", body, signature), ""),
                "no webhook secret is set for this repository, so no delivery can be verified");
        assertUnauthenticated(() -> github.parseWebhook(delivery("push", body, signature), null),
                "no webhook secret is set for this repository, so no delivery can be verified");
    }

    @Test
    void aPingStartsNothing() {
        assertThat(github.parseWebhook(signed("ping", payload("github/ping.json")), SECRET)).isEmpty();
    }

    @Test
    void otherEventsStartNothing() {
        assertThat(github.parseWebhook(signed("pull_request", utf8("{\"action\":\"opened\"}")), SECRET)).isEmpty();
    }

    @Test
    void aTagPushStartsNothing() {
        assertThat(github.parseWebhook(signed("push", payload("github/push-tag.json")), SECRET)).isEmpty();
    }

    @Test
    void aDeletedBranchStartsNothing() {
        assertThat(github.parseWebhook(signed("push", payload("github/push-delete.json")), SECRET)).isEmpty();
    }

    @Test
    void malformedJsonIsRejectedButNotAsUnauthenticated() {
        byte[] truncated = utf8("{\"ref\": \"refs/heads/main\", \"after\": ");

        assertMalformed(() -> github.parseWebhook(signed("push", truncated), SECRET), "the webhook body is not valid JSON");
        assertMalformed(() -> github.parseWebhook(signed("push", utf8("[1, 2]")), SECRET),
                "the webhook body is not a JSON object");
        assertMalformed(() -> github.parseWebhook(signed("push", utf8("{\"ref\": \"refs/heads/main\"} trailing")), SECRET),
                "the webhook body is not valid JSON");
        assertMalformed(() -> github.parseWebhook(signed("push", utf8("{\"ref\": \"refs/heads/main\"}")), SECRET),
                "the push payload has no after");
        assertMalformed(() -> github.parseWebhook(signed("push", utf8("{\"ref\": \"refs/heads/main\", \"after\": \"HEAD\"}")), SECRET),
                "the push payload's after is not a commit SHA: 'HEAD'");
        assertMalformed(() -> github.parseWebhook(signed("push", utf8("{\"ref\": \"refs/heads/main\", \"after\": \"" + COMMIT
                + "\", \"repository\": {}}")), SECRET), "the push payload names no repository: repository.clone_url is missing");
    }

    @Test
    void aDuplicatedKeyIsMalformedSinceReadersCouldDisagreeOnIt() {
        byte[] body = utf8("{\"ref\": \"refs/heads/main\", \"ref\": \"refs/heads/evil\", \"after\": \"" + COMMIT + "\"}");

        assertMalformed(() -> github.parseWebhook(signed("push", body), SECRET), "the webhook body is not valid JSON");
    }

    @Test
    void aMissingEventHeaderIsRejected() {
        byte[] body = payload("github/push.json");
        WebhookRequest request = request(body, "X-Hub-Signature-256", "sha256=" + hmac(SECRET, body));

        assertMalformed(() -> github.parseWebhook(request, SECRET), "the X-GitHub-Event header is missing");
    }

    @Test
    void withoutADeliveryIdTheSameBodyGetsTheSameId() {
        byte[] body = payload("github/push.json");
        WebhookRequest first = request(body, "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + hmac(SECRET, body));
        WebhookRequest again = request(body, "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + hmac(SECRET, body));
        byte[] other = payload("github/push.json").clone();
        other[other.length - 1] = ' ';
        WebhookRequest different = request(other, "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + hmac(SECRET, other));

        String id = github.parseWebhook(first, SECRET).orElseThrow().deliveryId();
        assertThat(id).matches("sha256:[0-9a-f]{64}");
        assertThat(github.parseWebhook(again, SECRET).orElseThrow().deliveryId()).isEqualTo(id);
        assertThat(github.parseWebhook(different, SECRET).orElseThrow().deliveryId()).isNotEqualTo(id);
    }

    @Test
    void readsAFormEncodedDeliveryAfterCheckingTheSignatureOfItsBytes() {
        String json = new String(payload("github/push.json"), StandardCharsets.UTF_8);
        byte[] form = utf8("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8));
        WebhookRequest request = request(form, "Content-Type", "application/x-www-form-urlencoded",
                "X-GitHub-Event", "push", "X-GitHub-Delivery", DELIVERY, "X-Hub-Signature-256", "sha256=" + hmac(SECRET, form));

        assertThat(github.parseWebhook(request, SECRET)).map(PushEvent::commitSha).contains(COMMIT);
    }

    @Test
    void findsHeadersWhateverTheirCase() {
        byte[] body = payload("github/push.json");
        WebhookRequest request = new WebhookRequest(Map.of(
                "X-GitHub-Event", List.of("push"),
                "X-GitHub-Delivery", List.of(DELIVERY),
                "X-Hub-Signature-256", List.of("sha256=" + HexFormat.of().withUpperCase().formatHex(
                        HexFormat.of().parseHex(hmac(SECRET, body))))), body);

        assertThat(github.parseWebhook(request, SECRET)).map(PushEvent::deliveryId).contains(DELIVERY);
    }

    @Test
    void listsTheRepositoryUrlsOfADeliveryWithoutVerifyingIt() {
        WebhookRequest unsigned = request(payload("github/push.json"), "X-GitHub-Event", "push");

        assertThat(github.repositoryUrls(unsigned)).containsExactly(
                "https://github.com/Codertocat/Hello-World.git",
                "git@github.com:Codertocat/Hello-World.git",
                "https://github.com/Codertocat/Hello-World",
                "git://github.com/Codertocat/Hello-World.git");
        assertThat(github.repositoryUrls(request(payload("github/ping.json")))).contains(
                "https://github.com/Codertocat/Hello-World.git");
        assertThat(github.repositoryUrls(request(utf8("{\"zen\": \"Keep it logically awesome.\"}")))).isEmpty();
        assertMalformed(() -> github.repositoryUrls(request(utf8("not json"))), "the webhook body is not valid JSON");
    }
}
