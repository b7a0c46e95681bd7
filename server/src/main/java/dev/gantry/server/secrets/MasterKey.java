package dev.gantry.server.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 256-bit key that encrypts secrets at rest and derives per-plugin database passwords: from
 * {@code GANTRY_MASTER_KEY} (base64), or generated once into {@code <data dir>/master.key} (mode 0600).
 */
public final class MasterKey {
    private static final Logger log = LoggerFactory.getLogger(MasterKey.class);
    private final SecretKeySpec key;

    private MasterKey(byte[] bytes) {
        this.key = new SecretKeySpec(bytes, "AES");
    }

    public static MasterKey load(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) {
            return new MasterKey(decode(configured.get()));
        }
        Path file = dataDir.resolve("master.key");
        try {
            if (Files.exists(file)) {
                return new MasterKey(decode(Files.readString(file, StandardCharsets.US_ASCII).trim()));
            }
            Files.createDirectories(dataDir);
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            Path temporary = Files.createTempFile(dataDir, "master", ".key",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, Base64.getEncoder().encodeToString(bytes), StandardCharsets.US_ASCII);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            log.info("Generated a master key in {}; replicas sharing this database need the same key (master.key)", file);
            return new MasterKey(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the master key " + file, e);
        }
    }

    /** Whether {@code text} is a usable key: base64 of exactly 32 bytes. */
    public static boolean isValid(String text) {
        try {
            return Base64.getDecoder().decode(text.trim()).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] decode(String text) {
        if (!isValid(text)) {
            throw new IllegalArgumentException("the master key must be 32 bytes, base64-encoded");
        }
        return Base64.getDecoder().decode(text.trim());
    }

    SecretKeySpec aesKey() {
        return key;
    }

    /** A value derived from the key for {@code purpose}, stable across restarts and replicas. */
    public String derive(String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
