package dev.gantry.plugins.webhook;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.plugin.api.notify.Notifier;
import dev.gantry.plugins.webhook.WebhookConfig.SecretReference;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.pf4j.Extension;

/**
 * Gantry's default notifier: POSTs each notification as Slack-compatible JSON ({@link SlackMessage}) to
 * {@code plugin.notifier-webhook.url}. With {@code secret-name} (and {@code secret-scope}, default {@code global})
 * set, the body is signed with HMAC-SHA256 under that secret's value, sent as
 * {@code X-Gantry-Signature-256: sha256=<hex>} so the receiver can check the request came from Gantry.
 */
@Extension
public final class WebhookNotifier implements Notifier {
    static final String SIGNATURE_HEADER = "X-Gantry-Signature-256";
    static final String EVENT_HEADER = "X-Gantry-Event";
    private static final int EXCERPT_LENGTH = 200;

    private final WebhookConfig config;
    private final HttpClient httpClient;
    private final Secrets secrets;

    public WebhookNotifier(PluginConfig config, HttpClient httpClient, Secrets secrets) {
        this.config = WebhookConfig.from(requireNonNull(config, "config is null"));
        this.httpClient = requireNonNull(httpClient, "httpClient is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    @Override
    public boolean configured() {
        return config.url().isPresent();
    }

    @Override
    public void send(Notification notification) {
        URI url = config.url().orElseThrow(() -> new ExtensionFailedException(WebhookConfig.PREFIX + "url is not set"));
        byte[] body = SlackMessage.json(notification).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                // one request per event gains nothing from HTTP/2, and on http:// the client's h2c upgrade
                // headers on a POST confuse some receivers
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(config.timeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .header(EVENT_HEADER, notification.event())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.signingSecret().ifPresent(secret -> request.header(SIGNATURE_HEADER, signature(body, secretValue(secret))));

        HttpResponse<String> response = exchange(url, request.build());
        if (response.statusCode() / 100 != 2) {
            throw new ExtensionFailedException("webhook " + WebhookConfig.describe(url) + " answered "
                    + response.statusCode() + excerpt(response.body()));
        }
    }

    /** Sends and waits at most the configured timeout for the whole exchange, not only for the first byte. */
    private HttpResponse<String> exchange(URI url, HttpRequest request) {
        CompletableFuture<HttpResponse<String>> response = httpClient.sendAsync(request, errorBodyOnly());
        try {
            return response.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            response.cancel(true);
            throw timedOut(url);
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            throw new ExtensionFailedException("interrupted while posting to webhook " + WebhookConfig.describe(url));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw timedOut(url);
            }
            String reason = cause instanceof IOException && cause.getMessage() != null
                    ? cause.getMessage() : cause.getClass().getSimpleName();
            throw new ExtensionFailedException("webhook " + WebhookConfig.describe(url) + " could not be reached: " + reason,
                    cause);
        }
    }

    private ExtensionFailedException timedOut(URI url) {
        return new ExtensionFailedException("webhook " + WebhookConfig.describe(url) + " did not answer within "
                + config.timeout().toMillis() + " ms (" + WebhookConfig.PREFIX + "timeout)");
    }

    /** A success's body is of no interest; a refusal's is read for the message. */
    private static BodyHandler<String> errorBodyOnly() {
        return info -> info.statusCode() / 100 == 2
                ? BodySubscribers.replacing("")
                : BodySubscribers.ofString(StandardCharsets.UTF_8);
    }

    private String secretValue(SecretReference secret) {
        return secrets.get(secret.scope(), secret.name()).orElseThrow(() -> new ExtensionFailedException(
                "secret '" + secret.name() + "' in scope '" + secret.scope() + "' (" + WebhookConfig.PREFIX
                        + "secret-name) does not exist; create it with PUT /api/secrets or unset the setting"));
    }

    /** {@code sha256=<hex>} of HMAC-SHA256 over the exact body bytes, as GitHub signs its webhooks. */
    static String signature(byte[] body, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static String excerpt(String body) {
        String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() <= EXCERPT_LENGTH ? text : text.substring(0, EXCERPT_LENGTH) + "…");
    }
}
