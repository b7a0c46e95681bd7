package dev.gantry.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Murmur3Test {
    /** The reference algorithm over bytes (SMHasher's MurmurHash3_x86_32), to check the char version against. */
    static int murmur3Bytes(byte[] data, int seed) {
        int h1 = seed;
        int blocks = data.length / 4;
        for (int i = 0; i < blocks; i++) {
            int k1 = (data[4 * i] & 0xff) | (data[4 * i + 1] & 0xff) << 8 | (data[4 * i + 2] & 0xff) << 16 | (data[4 * i + 3] & 0xff) << 24;
            k1 *= 0xcc9e2d51;
            k1 = Integer.rotateLeft(k1, 15);
            k1 *= 0x1b873593;
            h1 ^= k1;
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xe6546b64;
        }
        int k1 = 0;
        int tail = blocks * 4;
        switch (data.length & 3) {
            case 3:
                k1 ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                k1 ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                k1 ^= data[tail] & 0xff;
                k1 *= 0xcc9e2d51;
                k1 = Integer.rotateLeft(k1, 15);
                k1 *= 0x1b873593;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= data.length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }

    @Test
    void referenceImplementationMatchesPublishedVectors() {
        assertThat(murmur3Bytes(new byte[0], 0)).isZero();
        assertThat(murmur3Bytes(new byte[] {0, 0, 0, 0}, 0)).isEqualTo(0x2362F9DE);
        assertThat(murmur3Bytes(new byte[] {0x21, 0x43, 0x65, (byte) 0x87}, 0)).isEqualTo(0xF55B516B);
        assertThat(murmur3Bytes("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII), 0x9747b28c))
                .isEqualTo(0x2FA826CD);
    }

    @Test
    void hashOfCharsIsMurmur3OfTheirUtf16LittleEndianBytes() {
        assertThat(Murmur3.hashChars("\u0000\u0000", 0, 2)).isEqualTo(0x2362F9DE);
        assertThat(Murmur3.hashChars("\u4321\u8765", 0, 2)).isEqualTo(0xF55B516B);
        Random random = new Random(42);
        for (int n = 0; n < 500; n++) {
            char[] chars = new char[random.nextInt(40)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) random.nextInt(0x3000);
            }
            String s = new String(chars);
            assertThat(Murmur3.hashChars(s, 0, s.length())).as(s).isEqualTo(murmur3Bytes(s.getBytes(StandardCharsets.UTF_16LE), 0));
            String padded = "ab" + s + "c";
            assertThat(Murmur3.hashChars(padded, 2, 2 + s.length())).isEqualTo(Murmur3.hashChars(s, 0, s.length()));
        }
    }

    @Test
    void bucketsAreSpreadEvenly() {
        int[] counts = new int[100];
        for (int i = 0; i < 100_000; i++) {
            String key = "user-" + i;
            counts[Murmur3.bucket(key, 0, key.length())]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(850, 1150);
        }
    }
}
