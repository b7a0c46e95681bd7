package dev.gantry.server.scm;

import dev.gantry.plugin.api.scm.PushEvent;
import dev.gantry.plugin.api.scm.ScmProvider;
import dev.gantry.plugin.api.scm.WebhookRejectedException;
import dev.gantry.plugin.api.scm.WebhookRequest;
import dev.gantry.server.auth.Public;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Push webhooks from GitHub, GitLab and Gitea. No token: each delivery is authenticated by its signature, checked
 * against the secret of the repository it names; an unsigned or wrongly signed delivery starts nothing (401).
 */
@Path("/api/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {
    /** GitHub caps payloads at 25 MB; a push event is far smaller. */
    private static final int MAX_BODY = 25 * 1024 * 1024;

    private final ScmProviders providers;
    private final RepositoryService repositories;
    private final PushHandler pushes;

    @Inject
    public WebhookResource(ScmProviders providers, RepositoryService repositories, PushHandler pushes) {
        this.providers = providers;
        this.repositories = repositories;
        this.pushes = pushes;
    }

    @POST
    @Path("/{provider}")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Public
    public Response receive(@PathParam("provider") String providerName, @Context HttpHeaders headers, InputStream body) {
        ScmProvider provider = providers.require(providerName);
        MediaType type = headers.getMediaType();
        if (type != null && !type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            throw new ApiException(415, "unsupported_media_type", "webhook payloads are JSON: set the webhook's content type to application/json");
        }
        WebhookRequest request = new WebhookRequest(lowerCase(headers.getRequestHeaders()), read(body));
        List<String> urls;
        try {
            urls = provider.repositoryUrls(request);
        } catch (WebhookRejectedException e) {
            throw new ApiException(400, "invalid_payload", e.getMessage());
        }
        List<Repository> matches = repositories.findByUrls(urls);
        if (matches.isEmpty()) {
            throw new ApiException(404, "unknown_repository", "no repository is registered for "
                    + (urls.isEmpty() ? "this payload (it names no repository URL)" : RepositoryUrls.withoutCredentials(urls.get(0)))
                    + "; register it with POST /api/repos", Map.of());
        }
        Repository repository = matches.get(0);
        String secret = repositories.webhookSecret(repository).orElseThrow(() -> new ApiException(401, "invalid_signature",
                "the repository has no webhook secret; set one with PUT /api/secrets (scope " + repository.secretScope()
                        + ", name " + RepositoryService.WEBHOOK_SECRET + ")"));
        Optional<PushEvent> push;
        try {
            push = provider.parseWebhook(request, secret);
        } catch (WebhookRejectedException e) {
            if (e.unauthenticated()) {
                throw new ApiException(401, "invalid_signature", e.getMessage());
            }
            throw new ApiException(400, "invalid_payload", e.getMessage());
        }
        if (push.isEmpty()) {
            return Response.ok(Map.of("ignored", "this event starts no build (a ping, a tag, or a deleted branch)")).build();
        }
        PushHandler.Outcome outcome = pushes.handle(providerName, repository, push.get());
        return Response.status(outcome.accepted() ? Response.Status.ACCEPTED : Response.Status.OK).entity(outcome.body()).build();
    }

    private static byte[] read(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new ApiException(413, "too_large", "a webhook payload is at most 25 MB");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the webhook payload failed", e);
        }
    }

    private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
        Map<String, List<String>> lower = new HashMap<>();
        headers.forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        return lower;
    }
}
