package dev.gantry.router;

/**
 * MurmurHash3 (x86, 32-bit, seed 0) of a string's UTF-16 code units, taken two at a time little-endian: the same
 * value as Guava's {@code Hashing.murmur3_32_fixed().hashUnencodedChars(s)}, so other tools can tell which bucket a
 * sticky key falls in. Allocation-free.
 */
final class Murmur3 {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Murmur3() {
    }

    static int hashChars(CharSequence s, int from, int to) {
        int h1 = 0;
        int i = from;
        for (; i + 1 < to; i += 2) {
            int k1 = s.charAt(i) | (s.charAt(i + 1) << 16);
            h1 ^= mixK1(k1);
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xe6546b64;
        }
        if (i < to) {
            h1 ^= mixK1(s.charAt(i));
        }
        return fmix(h1, 2 * (to - from));
    }

    /** The sticky bucket, 0..99, of {@code s[from, to)}. */
    static int bucket(CharSequence s, int from, int to) {
        return Integer.remainderUnsigned(hashChars(s, from, to), 100);
    }

    private static int mixK1(int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        return k1 * C2;
    }

    private static int fmix(int h1, int length) {
        h1 ^= length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }
}
