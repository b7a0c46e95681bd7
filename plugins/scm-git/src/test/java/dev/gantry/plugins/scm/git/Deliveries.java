package dev.gantry.plugins.scm.git;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.scm.WebhookRejectedException;
import dev.gantry.plugin.api.scm.WebhookRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Webhook deliveries for tests: payloads from test resources, headers, and signatures computed independently. */
final class Deliveries {
    static final PluginConfig NO_SETTINGS = new PluginConfig(Map.of());
    static final TestWorkspace WORKSPACE = new TestWorkspace(Path.of("target", "test-workspace"));

    private Deliveries() {
    }

    /** A payload from {@code src/test/resources/webhooks/}, e.g. {@code github/push.json}, as the bytes sent. */
    static byte[] payload(String name) {
        try (InputStream in = Deliveries.class.getResourceAsStream("/webhooks/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test payload webhooks/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request with these headers (name, value, name, value, ...), names as the server passes them: lower case. */
    static WebhookRequest request(byte[] body, String... headers) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i].toLowerCase(Locale.ROOT), List.of(headers[i + 1]));
        }
        return new WebhookRequest(map, body);
    }

    /** Hex HMAC-SHA256 of the body under the secret. */
    static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts a rejection as a missing or wrong signature: the server answers 401. */
    static void assertUnauthenticated(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WebhookRejectedException.class, e -> {
            if (!e.unauthenticated()) {
                throw new AssertionError("expected an unauthenticated rejection, got: " + e.getMessage());
            }
        }).hasMessage(message);
    }

    /** Asserts a rejection of a well-signed but unusable delivery: the server answers 400. */
    static void assertMalformed(ThrowingCallable call, String messageStart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WebhookRejectedException.class, e -> {
            if (e.unauthenticated()) {
                throw new AssertionError("expected a rejection that is not about the signature, got: " + e.getMessage());
            }
        }).hasMessageStartingWith(messageStart);
    }
}
