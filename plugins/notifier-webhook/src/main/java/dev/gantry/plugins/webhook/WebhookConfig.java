package dev.gantry.plugins.webhook;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plugin's settings ({@code plugin.notifier-webhook.<key>}), checked when the plugin starts so a typo or a
 * malformed value is reported then, naming the key. A missing URL is allowed: the plugin is bundled and starts before
 * anyone has configured it; sending then fails with the key to set.
 *
 * @param url where to POST; empty until configured
 * @param timeout the longest a delivery may take, connection and answer included
 * @param signingSecret the secret whose value signs each body, if any
 */
record WebhookConfig(Optional<URI> url, Duration timeout, Optional<SecretReference> signingSecret) {
    static final String PREFIX = "plugin.notifier-webhook.";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final String DEFAULT_SECRET_SCOPE = "global";
    private static final Set<String> KEYS = Set.of("url", "timeout", "secret-name", "secret-scope");

    WebhookConfig {
        requireNonNull(url, "url is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(signingSecret, "signingSecret is null");
    }

    /** A secret in Gantry's store: {@code scope} is {@code global}, {@code repo:<owner/name>} or {@code environment:<name>}. */
    record SecretReference(String scope, String name) {
        SecretReference {
            requireNonNull(scope, "scope is null");
            requireNonNull(name, "name is null");
        }
    }

    static WebhookConfig from(PluginConfig config) {
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting " + PREFIX + unknown.iterator().next()
                    + "; the webhook notifier reads " + PREFIX + "{" + String.join(", ", new TreeSet<>(KEYS)) + "}");
        }
        Optional<URI> url = value(config, "url").map(WebhookConfig::parseUrl);
        Duration timeout = value(config, "timeout").map(WebhookConfig::parseTimeout).orElse(DEFAULT_TIMEOUT);
        Optional<String> secretName = value(config, "secret-name");
        Optional<String> secretScope = value(config, "secret-scope");
        if (secretScope.isPresent() && secretName.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + "secret-scope is set but " + PREFIX
                    + "secret-name is not; set the name of the secret that signs the requests");
        }
        Optional<SecretReference> secret = secretName.map(name ->
                new SecretReference(secretScope.orElse(DEFAULT_SECRET_SCOPE), name));
        return new WebhookConfig(url, timeout, secret);
    }

    private static Optional<String> value(PluginConfig config, String key) {
        return config.get(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    /** The URL's value is never repeated in a message: for Slack and many others, its path is the credential. */
    private static URI parseUrl(String text) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + "url is not a valid URL (" + e.getReason() + ")");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException(PREFIX + "url must be an http:// or https:// URL with a host");
        }
        return url;
    }

    /** Written as the server writes durations: {@code 500ms}, {@code 30s}, {@code 5m} or ISO-8601 {@code PT1M}. */
    static Duration parseTimeout(String text) {
        Duration timeout;
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                timeout = Duration.parse(text);
            } else if (text.endsWith("ms")) {
                timeout = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else {
                long amount = Long.parseLong(text.substring(0, text.length() - 1));
                timeout = switch (text.charAt(text.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    default -> throw new NumberFormatException();
                };
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(PREFIX + "timeout must be a duration such as 500ms, 10s, 1m or PT30S, got '"
                    + text + "'");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(PREFIX + "timeout must be positive, got '" + text + "'");
        }
        return timeout;
    }

    /** Scheme, host and port only: safe to show in messages and logs. */
    static String describe(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort());
    }
}
