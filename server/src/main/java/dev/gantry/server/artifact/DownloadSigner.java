package dev.gantry.server.artifact;

import dev.gantry.server.secrets.MasterKey;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs download URLs of the server's own artifact route with HMAC-SHA256 under a key derived from the master key,
 * so every replica accepts what any replica signed and nobody without the key can make one.
 */
public class DownloadSigner {
    private final SecretKeySpec key;

    @Inject
    public DownloadSigner(MasterKey masterKey) {
        this.key = new SecretKeySpec(Base64.getUrlDecoder().decode(masterKey.derive("artifact-download-url/v1")), "HmacSHA256");
    }

    String sign(ArtifactDigest digest, long expiresEpochSecond) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(digest, expiresEpochSecond));
    }

    /** Whether {@code signature} is ours for this digest and expiry; compared in constant time. */
    boolean verify(ArtifactDigest digest, long expiresEpochSecond, String signature) {
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(digest, expiresEpochSecond), given);
    }

    private byte[] mac(ArtifactDigest digest, long expiresEpochSecond) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal((digest + "\n" + expiresEpochSecond).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
