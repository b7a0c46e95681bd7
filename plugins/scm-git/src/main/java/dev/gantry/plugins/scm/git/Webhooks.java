package dev.gantry.plugins.scm.git;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.plugin.api.scm.PushEvent;
import dev.gantry.plugin.api.scm.WebhookRejectedException;
import dev.gantry.plugin.api.scm.WebhookRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What the three forges' webhooks have in common: signatures, JSON payloads, and the push event itself. */
final class Webhooks {
    /** Strict: a body with two values for one key, or text after the JSON, could be read differently elsewhere. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern ZEROS = Pattern.compile("0+");
    private static final String BRANCH_PREFIX = "refs/heads/";
    private static final String FORM_FIELD = "payload=";

    private Webhooks() {
    }

    /**
     * A header's first value. Names are looked up regardless of case: the request promises lower case, but a
     * header the server passed through as received must not be taken for a missing signature.
     */
    static Optional<String> header(WebhookRequest request, String name) {
        Optional<String> exact = request.header(name);
        if (exact.isPresent()) {
            return exact;
        }
        for (Map.Entry<String, List<String>> entry : request.headers().entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name) && entry.getValue() != null
                    && !entry.getValue().isEmpty()) {
                return Optional.ofNullable(entry.getValue().get(0));
            }
        }
        return Optional.empty();
    }

    /** A repository without a secret cannot tell its deliveries from anyone else's. */
    static void requireSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new WebhookRejectedException(
                    "no webhook secret is set for this repository, so no delivery can be verified", true);
        }
    }

    /**
     * Checks {@code <hex HMAC-SHA256 of the body>} (after {@code prefix}, which may be empty) in {@code header}, in
     * constant time. The message names the header, never the expected value.
     */
    static void verifyHmacSha256(WebhookRequest request, String secret, String header, String prefix) {
        requireSecret(secret);
        String value = header(request, header).map(String::trim)
                .orElseThrow(() -> new WebhookRejectedException("the " + header + " header is missing", true));
        byte[] given = value.regionMatches(true, 0, prefix, 0, prefix.length())
                ? parseHex(value.substring(prefix.length())) : null;
        byte[] expected = hmacSha256(secret, request.body());
        if (given == null || !MessageDigest.isEqual(expected, given)) {
            throw new WebhookRejectedException("the " + header + " header does not match the body signed with"
                    + " this repository's webhook secret", true);
        }
    }

    /**
     * Checks a shared token sent as is (GitLab's {@code X-Gitlab-Token}). Both sides are hashed first so that the
     * comparison takes the same time whatever the token's length, and a length mismatch reveals nothing.
     */
    static void verifyToken(WebhookRequest request, String secret, String header) {
        requireSecret(secret);
        String given = header(request, header)
                .orElseThrow(() -> new WebhookRejectedException("the " + header + " header is missing", true));
        if (!MessageDigest.isEqual(sha256(secret.getBytes(StandardCharsets.UTF_8)),
                sha256(given.getBytes(StandardCharsets.UTF_8)))) {
            throw new WebhookRejectedException("the " + header + " header does not match this repository's"
                    + " webhook secret", true);
        }
    }

    static byte[] hmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private static byte[] parseHex(String hex) {
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The payload as JSON. GitHub and Gitea can also be set to post it form-encoded ({@code payload=<json>}); the
     * signature covers the bytes as sent, so this is read only after checking it.
     */
    static JsonNode payload(WebhookRequest request) {
        byte[] body = request.body();
        String contentType = header(request, "content-type").orElse("").toLowerCase(Locale.ROOT);
        String text = new String(body, StandardCharsets.UTF_8);
        if (contentType.startsWith("application/x-www-form-urlencoded") || text.startsWith(FORM_FIELD)) {
            text = formField(text).orElseThrow(() -> new WebhookRejectedException(
                    "the form-encoded webhook body has no payload field", false));
        }
        JsonNode payload;
        try {
            payload = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new WebhookRejectedException("the webhook body is not valid JSON: " + e.getOriginalMessage()
                    + location(e), false);
        }
        if (payload == null || !payload.isObject()) {
            throw new WebhookRejectedException("the webhook body is not a JSON object", false);
        }
        return payload;
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static Optional<String> formField(String form) {
        for (String pair : form.split("&")) {
            if (pair.startsWith(FORM_FIELD)) {
                try {
                    return Optional.of(URLDecoder.decode(pair.substring(FORM_FIELD.length()), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new WebhookRejectedException("the form-encoded webhook body is malformed: " + e.getMessage(),
                            false);
                }
            }
        }
        return Optional.empty();
    }

    /** The non-blank strings at these JSON pointers ({@code /repository/clone_url}), in order, each once. */
    static List<String> strings(JsonNode payload, List<String> pointers) {
        Set<String> values = new LinkedHashSet<>();
        for (String pointer : pointers) {
            text(payload, pointer).ifPresent(values::add);
        }
        return List.copyOf(values);
    }

    static Optional<String> text(JsonNode payload, String pointer) {
        JsonNode node = payload.at(pointer);
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText().trim()) : Optional.empty();
    }

    /**
     * The push the payload describes, or empty when it starts nothing: a tag, or a deleted branch (its
     * {@code after} is all zeros).
     *
     * @param cloneUrlPointers where the clone (HTTPS) URL may be, first found wins
     */
    static Optional<PushEvent> push(JsonNode payload, List<String> cloneUrlPointers, String deliveryId) {
        JsonNode ref = payload.get("ref");
        JsonNode after = payload.get("after");
        if (ref == null || !ref.isTextual()) {
            throw new WebhookRejectedException("the push payload has no ref", false);
        }
        if (after == null || !after.isTextual()) {
            throw new WebhookRejectedException("the push payload has no after (the pushed commit)", false);
        }
        String commit = after.asText().trim().toLowerCase(Locale.ROOT);
        if (!OBJECT_ID.matcher(commit).matches()) {
            throw new WebhookRejectedException("the push payload's after is not a commit SHA: '"
                    + abbreviate(after.asText()) + "'", false);
        }
        if (!ref.asText().startsWith(BRANCH_PREFIX) || ZEROS.matcher(commit).matches()
                || payload.path("deleted").asBoolean(false)) {
            return Optional.empty();
        }
        String branch = ref.asText().substring(BRANCH_PREFIX.length());
        if (branch.isEmpty()) {
            throw new WebhookRejectedException("the push payload's ref names no branch", false);
        }
        for (String pointer : cloneUrlPointers) {
            Optional<String> url = text(payload, pointer);
            if (url.isPresent()) {
                return Optional.of(new PushEvent(url.get(), branch, commit, deliveryId));
            }
        }
        throw new WebhookRejectedException("the push payload names no repository: " + String.join(" or ",
                cloneUrlPointers.stream().map(pointer -> pointer.substring(1).replace('/', '.')).toList())
                + " is missing", false);
    }

    /**
     * The delivery's id from the first of these headers that is present; without one, {@code sha256:<hex>} of the
     * body, so that a delivery sent twice is still recognised as the same one.
     */
    static String deliveryId(WebhookRequest request, String... headers) {
        for (String name : headers) {
            Optional<String> id = header(request, name).map(String::trim).filter(value -> !value.isEmpty());
            if (id.isPresent()) {
                return id.get();
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha256(request.body()));
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }
}
