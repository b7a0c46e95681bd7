package dev.gantry.plugin.api.scm;

import dev.gantry.plugin.api.Experimental;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/** A source-control system: verifies and parses its webhooks, and checks out a commit. */
@Experimental
public interface ScmProvider extends ExtensionPoint {
    /** The webhook provider name in {@code /api/webhooks/{provider}}, e.g. {@code github}. */
    String provider();

    /**
     * The repository URLs a delivery names (clone, SSH and web URLs), read without verifying it, only so the server
     * can find the registered repository whose secret verifies it. Empty when the payload names none.
     *
     * @throws WebhookRejectedException when the payload is not this provider's JSON
     */
    List<String> repositoryUrls(WebhookRequest request);

    /**
     * Verifies the request's signature against {@code secret} (in constant time) and parses it.
     *
     * @return the push, or empty for an event that starts nothing (a ping, a tag, a deleted branch)
     * @throws WebhookRejectedException when the signature is missing or wrong, or the payload is malformed
     */
    Optional<PushEvent> parseWebhook(WebhookRequest request, String secret);

    /**
     * Checks out exactly {@code request.commitSha()} (a full or abbreviated SHA) into the empty directory
     * {@code request.directory()}, without the repository's history where the server allows it.
     *
     * @throws CommitNotFoundException when the repository has no such commit
     * @throws IOException when the repository cannot be reached or read; the message says which and why, without
     *     credentials
     */
    CheckoutResult checkout(CheckoutRequest request) throws IOException;
}
