package dev.gantry.server.artifact;

import dev.gantry.server.http.ApiException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** An artifact's name: the SHA-256 of its bytes, written {@code sha256:<64 lowercase hex>}. */
public record ArtifactDigest(String hex) {
    public ArtifactDigest {
        if (!isLowercaseHex(hex)) {
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
        String lower = hex.toLowerCase(Locale.ROOT);
        return isLowercaseHex(lower) ? Optional.of(new ArtifactDigest(lower)) : Optional.empty();
    }

    /** By hand, not by regex: every request naming an artifact checks one. */
    private static boolean isLowercaseHex(String text) {
        if (text == null || text.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
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
