package dev.gantry.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashing with Argon2id (RFC 9106) at OWASP's recommended minimum: 19 MiB of memory, 2 passes, one lane.
 * Hashes are kept as PHC strings ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}), so a hash made with other
 * parameters still verifies and can be upgraded at the next sign-in ({@link #needsRehash}).
 */
public final class Passwords {
    public static final int MEMORY_KIB = 19 * 1024;
    public static final int ITERATIONS = 2;
    public static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,2}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{16,128})");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();
    /** Each hash holds 19 MiB for its duration: a burst of sign-ins waits here instead of exhausting the heap. */
    private static final Semaphore HASHING = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors() * 2), true);


    private Passwords() {
    }

    /** A new PHC string for {@code password}, with a fresh random salt. */
    public static String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** Whether {@code password} matches {@code phc}; false for a malformed hash. Constant time in the comparison. */
    public static boolean verify(String password, String phc) {
        Matcher m = phc == null ? null : PHC.matcher(phc);
        if (m == null || !m.matches()) {
            return false;
        }
        int memory = Integer.parseInt(m.group(1));
        int iterations = Integer.parseInt(m.group(2));
        int parallelism = Integer.parseInt(m.group(3));
        if (memory < 8 * parallelism || iterations < 1 || parallelism < 1) {
            return false;
        }
        byte[] salt = B64_DECODER.decode(m.group(4));
        byte[] expected = B64_DECODER.decode(m.group(5));
        byte[] actual = argon2(password, salt, memory, iterations, parallelism, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** Spends the time of one verification and returns false: for a user who does not exist or has no password. */
    public static boolean verifyNothing(String password) {
        verify(password, Dummy.HASH);
        return false;
    }

    /** Verified against when no real hash exists; made once, the first time it is needed. */
    private static final class Dummy {
        static final String HASH = hash("not the password of anyone");
    }

    /** Whether {@code phc} was made with parameters other than today's, so it should be hashed again. */
    public static boolean needsRehash(String phc) {
        return !phc.startsWith("$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$");
    }

    private static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[length];
        // NFC: the same password typed on two keyboards may arrive composed or decomposed
        byte[] bytes = Normalizer.normalize(password, Normalizer.Form.NFC).getBytes(StandardCharsets.UTF_8);
        HASHING.acquireUninterruptibly();
        try {
            generator.generateBytes(bytes, out);
        } finally {
            HASHING.release();
            java.util.Arrays.fill(bytes, (byte) 0);
        }
        return out;
    }
}
