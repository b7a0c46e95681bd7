package dev.gantry.plugins.scm.git;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.scm.CheckoutRequest;
import dev.gantry.plugin.api.scm.CheckoutResult;
import dev.gantry.plugin.api.scm.PushEvent;
import dev.gantry.plugin.api.scm.ScmProvider;
import dev.gantry.plugin.api.scm.WebhookRejectedException;
import dev.gantry.plugin.api.scm.WebhookRequest;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * GitLab (gitlab.com and self-managed): deliveries carry the webhook's secret token as is in
 * {@code X-Gitlab-Token} (GitLab does not sign bodies) and their event in {@code X-Gitlab-Event}. A token checks
 * out as user {@code oauth2}, which GitLab accepts for personal, project, group and OAuth tokens.
 */
@Extension
public final class GitLabScmProvider implements ScmProvider {
    static final String TOKEN_HEADER = "X-Gitlab-Token";
    static final String EVENT_HEADER = "X-Gitlab-Event";
    /** Stays the same when GitLab retries a delivery, so it is preferred for recognising duplicates. */
    static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    static final String EVENT_UUID_HEADER = "X-Gitlab-Event-UUID";
    static final String TOKEN_USERNAME = "oauth2";
    private static final List<String> CLONE_URL = List.of("/project/git_http_url", "/repository/git_http_url");
    private static final List<String> URLS = List.of("/project/git_http_url", "/project/git_ssh_url",
            "/project/web_url", "/repository/git_http_url", "/repository/git_ssh_url", "/repository/homepage",
            "/repository/url");

    private final GitCheckout checkout;

    public GitLabScmProvider(PluginConfig config, Workspace workspace) {
        this.checkout = new GitCheckout(ScmGitConfig.from(requireNonNull(config, "config is null")),
                requireNonNull(workspace, "workspace is null"), GitAuth.TokenLogin.username(TOKEN_USERNAME));
    }

    @Override
    public String provider() {
        return "gitlab";
    }

    @Override
    public List<String> repositoryUrls(WebhookRequest request) {
        return Webhooks.strings(Webhooks.payload(requireNonNull(request, "request is null")), URLS);
    }

    @Override
    public Optional<PushEvent> parseWebhook(WebhookRequest request, String secret) {
        requireNonNull(request, "request is null");
        Webhooks.verifyToken(request, secret, TOKEN_HEADER);
        String event = Webhooks.header(request, EVENT_HEADER).map(String::trim).orElseThrow(() ->
                new WebhookRejectedException("the " + EVENT_HEADER + " header is missing", false));
        JsonNode payload = Webhooks.payload(request);
        // a system hook (instance-wide) posts pushes too, told apart by the payload's event_name
        boolean push = event.equals("Push Hook")
                || event.equals("System Hook") && "push".equals(payload.path("event_name").asText(null));
        if (!push) {
            // Tag Push Hook, Merge Request Hook, ...: nothing to build
            return Optional.empty();
        }
        return Webhooks.push(payload, CLONE_URL,
                Webhooks.deliveryId(request, IDEMPOTENCY_HEADER, EVENT_UUID_HEADER));
    }

    @Override
    public CheckoutResult checkout(CheckoutRequest request) throws IOException {
        return checkout.checkout(requireNonNull(request, "request is null"));
    }
}
