package dev.gantry.server.artifact;

import dev.gantry.server.http.ApiException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** An artifact's name: the SHA-256 of its bytes, written {@code sha256:<64 lowercase hex>}. */
public record ArtifactDigest(String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public ArtifactDigest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a SHA-256 in lowercase hex");
        }
    }

    /**
     * Reads {@code sha256:<64 hex>} or bare hex, either case; anything else is a 400 that says what a digest looks
     * like. The text is not echoed back in full: it may be long, and it is the caller's own input.
     */
    public static ArtifactDigest parse(String text) {
        return tryParse(text).orElseThrow(() -> new ApiException(400, "invalid_digest",
                "'" + abbreviate(text) + "' is not a digest: write sha256:<64 hex digits> or the 64 hex digits alone",
                Map.of()));
    }

    public static Optional<ArtifactDigest> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String hex = text.regionMatches(true, 0, "sha256:", 0, 7) ? text.substring(7) : text;
        if (hex.length() != 64) {
            return Optional.empty();
        }
        // by hand, not by regex: POST /api/artifacts/missing parses a hundred thousand of these per request
        char[] digits = new char[64];
        for (int i = 0; i < 64; i++) {
            char c = Character.toLowerCase(hex.charAt(i));
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return Optional.empty();
            }
            digits[i] = c;
        }
        return Optional.of(new ArtifactDigest(new String(digits)));
    }

    public static ArtifactDigest of(byte[] sha256) {
        return new ArtifactDigest(HexFormat.of().formatHex(sha256));
    }

    public byte[] bytes() {
        return HexFormat.of().parseHex(hex);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
