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
 * Gitea (and Forgejo, which sends the same headers): deliveries are signed with
 * {@code X-Gitea-Signature: <hex HMAC-SHA256 of the body>}, name their event in {@code X-Gitea-Event} and their id in
 * {@code X-Gitea-Delivery}. A token checks out with the credentials' user name, or as the user name itself when
 * none is given (Gitea reads a token sent as user name with password {@code x-oauth-basic}).
 */
@Extension
public final class GiteaScmProvider implements ScmProvider {
    static final String SIGNATURE_HEADER = "X-Gitea-Signature";
    static final String EVENT_HEADER = "X-Gitea-Event";
    static final String DELIVERY_HEADER = "X-Gitea-Delivery";
    private static final List<String> CLONE_URL = List.of("/repository/clone_url");
    private static final List<String> URLS = List.of("/repository/clone_url", "/repository/ssh_url",
            "/repository/html_url");

    private final GitCheckout checkout;

    public GiteaScmProvider(PluginConfig config, Workspace workspace) {
        this.checkout = new GitCheckout(ScmGitConfig.from(requireNonNull(config, "config is null")),
                requireNonNull(workspace, "workspace is null"), GitAuth.TokenLogin.TOKEN_AS_USERNAME);
    }

    @Override
    public String provider() {
        return "gitea";
    }

    @Override
    public List<String> repositoryUrls(WebhookRequest request) {
        return Webhooks.strings(Webhooks.payload(requireNonNull(request, "request is null")), URLS);
    }

    @Override
    public Optional<PushEvent> parseWebhook(WebhookRequest request, String secret) {
        requireNonNull(request, "request is null");
        Webhooks.verifyHmacSha256(request, secret, SIGNATURE_HEADER, "");
        String event = Webhooks.header(request, EVENT_HEADER).map(String::trim).orElseThrow(() ->
                new WebhookRejectedException("the " + EVENT_HEADER + " header is missing", false));
        JsonNode payload = Webhooks.payload(request);
        if (!event.equals("push")) {
            // create, delete, pull_request, ...: a deleted branch also comes as "delete", not as a push
            return Optional.empty();
        }
        return Webhooks.push(payload, CLONE_URL, Webhooks.deliveryId(request, DELIVERY_HEADER));
    }

    @Override
    public CheckoutResult checkout(CheckoutRequest request) throws IOException {
        return checkout.checkout(requireNonNull(request, "request is null"));
    }
}
