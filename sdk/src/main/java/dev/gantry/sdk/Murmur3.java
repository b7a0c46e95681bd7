package dev.gantry.sdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain algorithm), as docs/flags.md's bucketing asks for.
 * Written here rather than taken from a library: it is forty lines, and the bucketing needs a form no library offers,
 * continuing from the precomputed state of a constant prefix ({@code flagKey + ":"}) over the user id's UTF-8 bytes
 * (encoded once per context), so that a bucket is computed without building {@code flagKey + ":" + userId}.
 */
final class Murmur3 {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** No prefix: {@link #hash(Prefix, byte[])} with it hashes the bytes alone. */
    static final Prefix EMPTY = new Prefix(0, 0, 0, 0);

    private Murmur3() {
    }

    /**
     * The state after hashing constant leading bytes with seed 0: the running hash over their whole 4-byte blocks,
     * the 0–3 bytes left over (little-endian in {@code tail}), and the length so far.
     */
    static final class Prefix {
        final int h1;
        final int tail;
        final int tailLength;
        final int length;

        private Prefix(int h1, int tail, int tailLength, int length) {
            this.h1 = h1;
            this.tail = tail;
            this.tailLength = tailLength;
            this.length = length;
        }
    }

    static Prefix prefix(String constant) {
        byte[] bytes = constant.getBytes(StandardCharsets.UTF_8);
        int h1 = 0;
        int blocks = bytes.length / 4;
        for (int i = 0; i < blocks; i++) {
            h1 = mixBlock(h1, littleEndian(bytes, i * 4));
        }
        int tail = 0;
        int tailLength = bytes.length - blocks * 4;
        for (int i = 0; i < tailLength; i++) {
            tail |= (bytes[blocks * 4 + i] & 0xff) << (8 * i);
        }
        return new Prefix(h1, tail, tailLength, bytes.length);
    }

    /** The reference form: the hash of {@code data} with {@code seed}. */
    static int hash(byte[] data, int seed) {
        int h1 = seed;
        int blocks = data.length / 4;
        for (int i = 0; i < blocks; i++) {
            h1 = mixBlock(h1, littleEndian(data, i * 4));
        }
        int k1 = 0;
        int offset = blocks * 4;
        switch (data.length - offset) {
            case 3:
                k1 ^= (data[offset + 2] & 0xff) << 16;
                // fall through
            case 2:
                k1 ^= (data[offset + 1] & 0xff) << 8;
                // fall through
            case 1:
                k1 ^= data[offset] & 0xff;
                h1 ^= mixK1(k1);
                break;
            default:
                break;
        }
        return finish(h1, data.length);
    }

    /**
     * The hash (seed 0) of the prefix's bytes followed by {@code bytes}, equal to hashing their concatenation.
     * Allocates nothing: the evaluation hashes a flag's precomputed {@code flagKey + ":"} state with the user id's
     * UTF-8, which the context encoded once when it was built.
     */
    static int hash(Prefix prefix, byte[] bytes) {
        int h1 = prefix.h1;
        int k = prefix.tail;
        int n = prefix.tailLength;
        int i = 0;
        int end = bytes.length;
        if (n > 0) {
            // complete the prefix's partial block
            while (n < 4 && i < end) {
                k |= (bytes[i++] & 0xff) << (n++ << 3);
            }
            if (n < 4) {
                h1 ^= mixK1(k);
                return finish(h1, prefix.length + end);
            }
            h1 = mixBlock(h1, k);
        }
        int blocksEnd = i + ((end - i) & ~3);
        for (; i < blocksEnd; i += 4) {
            h1 = mixBlock(h1, (int) INT_LE.get(bytes, i));
        }
        if (i < end) {
            int k1 = 0;
            for (int shift = 0; i < end; i++, shift += 8) {
                k1 |= (bytes[i] & 0xff) << shift;
            }
            h1 ^= mixK1(k1);
        }
        return finish(h1, prefix.length + end);
    }

    /** {@link #hash(Prefix, byte[])} of the string's UTF-8 (allocates the bytes; not for the hot path). */
    static int hash(Prefix prefix, String s) {
        return hash(prefix, s.getBytes(StandardCharsets.UTF_8));
    }

    private static int littleEndian(byte[] data, int offset) {
        return (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8 | (data[offset + 2] & 0xff) << 16
                | (data[offset + 3] & 0xff) << 24;
    }

    private static int mixK1(int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        return k1 * C2;
    }

    private static int mixBlock(int h1, int k1) {
        h1 ^= mixK1(k1);
        h1 = Integer.rotateLeft(h1, 13);
        return h1 * 5 + 0xe6546b64;
    }

    private static int finish(int h1, int length) {
        h1 ^= length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }
}
