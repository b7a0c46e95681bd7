package dev.gantry.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API tokens: 32 random bytes, prefixed {@code gty_} so secret scanners can spot them; SDK tokens the same with
 * {@code gtysdk_} and agent tokens with {@code gtyagt_}, so the server tells the kinds apart before looking any up.
 * Tokens are random and long, so a plain SHA-256 is a sound way to store them (unlike passwords, they cannot be guessed from a dictionary).
 */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String PREFIX = "gty_";
    public static final String SDK_PREFIX = "gtysdk_";
    public static final String AGENT_PREFIX = "gtyagt_";

    private Tokens() {
    }

    public static String newToken() {
        return newToken(PREFIX);
    }

    public static String newSdkToken() {
        return newToken(SDK_PREFIX);
    }

    public static String newAgentToken() {
        return newToken(AGENT_PREFIX);
    }

    private static String newToken(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first characters, kept to tell tokens apart in listings without revealing them. */
    public static String displayPrefix(String token) {
        int prefix = token.startsWith(SDK_PREFIX) ? SDK_PREFIX.length()
                : token.startsWith(AGENT_PREFIX) ? AGENT_PREFIX.length() : PREFIX.length();
        return token.substring(0, Math.min(token.length(), prefix + 6));
    }
}
