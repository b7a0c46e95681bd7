package dev.gantry.server.persistence;

import java.security.SecureRandom;
import java.util.UUID;

/** Opaque ids: UUIDv7 (RFC 9562), time-ordered so that indexes stay compact. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String newId() {
        long millis = System.currentTimeMillis();
        long randA = RANDOM.nextInt(1 << 12);
        long randB = RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL;
        long high = (millis << 16) | 0x7000L | randA;
        long low = 0x8000_0000_0000_0000L | randB;
        return new UUID(high, low).toString();
    }
}
