package dev.gantry.plugin.api.scm;

import dev.gantry.plugin.api.Experimental;
import java.io.IOException;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/** A source-control system: verifies and parses its webhooks, and checks out a commit. */
@Experimental
public interface ScmProvider extends ExtensionPoint {
    /** The webhook provider name in {@code /api/webhooks/{provider}}, e.g. {@code github}. */
    String provider();

    /**
     * Verifies the request's signature against {@code secret} (in constant time) and parses it.
     *
     * @return the push, or empty for an event that starts nothing (e.g. a ping)
     * @throws WebhookRejectedException when the signature is missing or wrong, or the payload is malformed
     */
    Optional<PushEvent> parseWebhook(WebhookRequest request, String secret);

    /** Checks out exactly {@code request.commitSha()} into the empty directory {@code request.directory()}. */
    void checkout(CheckoutRequest request) throws IOException;
}
