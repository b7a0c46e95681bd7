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
 * GitHub (github.com and GitHub Enterprise Server): deliveries are signed with
 * {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}, name their event in {@code X-GitHub-Event} and
 * their id in {@code X-GitHub-Delivery}, which a redelivery keeps. A token checks out as user
 * {@code x-access-token}, as GitHub Apps' installation tokens require and personal tokens accept.
 */
@Extension
public final class GitHubScmProvider implements ScmProvider {
    static final String SIGNATURE_HEADER = "X-Hub-Signature-256";
    static final String EVENT_HEADER = "X-GitHub-Event";
    static final String DELIVERY_HEADER = "X-GitHub-Delivery";
    static final String TOKEN_USERNAME = "x-access-token";
    private static final List<String> CLONE_URL = List.of("/repository/clone_url");
    private static final List<String> URLS = List.of("/repository/clone_url", "/repository/ssh_url",
            "/repository/html_url", "/repository/git_url");

    private final GitCheckout checkout;

    public GitHubScmProvider(PluginConfig config, Workspace workspace) {
        this.checkout = new GitCheckout(ScmGitConfig.from(requireNonNull(config, "config is null")),
                requireNonNull(workspace, "workspace is null"), GitAuth.TokenLogin.username(TOKEN_USERNAME));
    }

    @Override
    public String provider() {
        return "github";
    }

    @Override
    public List<String> repositoryUrls(WebhookRequest request) {
        return Webhooks.strings(Webhooks.payload(requireNonNull(request, "request is null")), URLS);
    }

    @Override
    public Optional<PushEvent> parseWebhook(WebhookRequest request, String secret) {
        requireNonNull(request, "request is null");
        Webhooks.verifyHmacSha256(request, secret, SIGNATURE_HEADER, "sha256=");
        String event = Webhooks.header(request, EVENT_HEADER).map(String::trim).orElseThrow(() ->
                new WebhookRejectedException("the " + EVENT_HEADER + " header is missing", false));
        JsonNode payload = Webhooks.payload(request);
        if (!event.equals("push")) {
            // ping (sent when the hook is created) and every other event start nothing
            return Optional.empty();
        }
        return Webhooks.push(payload, CLONE_URL, Webhooks.deliveryId(request, DELIVERY_HEADER));
    }

    @Override
    public CheckoutResult checkout(CheckoutRequest request) throws IOException {
        return checkout.checkout(requireNonNull(request, "request is null"));
    }
}
