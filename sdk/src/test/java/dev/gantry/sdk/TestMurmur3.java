package dev.gantry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestMurmur3 {
    private static int hash(String s, int seed) {
        return Murmur3.hash(s.getBytes(StandardCharsets.UTF_8), seed);
    }

    private static int hash(int seed, int... bytes) {
        byte[] data = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            data[i] = (byte) bytes[i];
        }
        return Murmur3.hash(data, seed);
    }

    @Test
    void matchesThePublishedByteVectors() {
        // the SMHasher-derived vectors for MurmurHash3_x86_32 that ports check themselves against
        assertThat(hash(0)).isEqualTo(0);
        assertThat(hash(1)).isEqualTo(0x514E28B7);
        assertThat(hash(0xffffffff)).isEqualTo(0x81F16F39);
        assertThat(hash(0, 0xff, 0xff, 0xff, 0xff)).isEqualTo(0x76293B50);
        assertThat(hash(0, 0x21, 0x43, 0x65, 0x87)).isEqualTo(0xF55B516B);
        assertThat(hash(0x5082EDEE, 0x21, 0x43, 0x65, 0x87)).isEqualTo(0x2362F9DE);
        assertThat(hash(0, 0x21, 0x43, 0x65)).isEqualTo(0x7E4A8634);
        assertThat(hash(0, 0x21, 0x43)).isEqualTo(0xA0F7B07A);
        assertThat(hash(0, 0x21)).isEqualTo(0x72661CF4);
        assertThat(hash(0, 0, 0, 0, 0)).isEqualTo(0x2362F9DE);
        assertThat(hash(0, 0, 0, 0)).isEqualTo(0x85F0B427);
        assertThat(hash(0, 0, 0)).isEqualTo(0x30F4C306);
        assertThat(hash(0, 0)).isEqualTo(0x514E28B7);
    }

    @Test
    void matchesThePublishedStringVectors() {
        int seed = 0x9747b28c;
        assertThat(hash("aaaa", seed)).isEqualTo(0x5A97808A);
        assertThat(hash("aaa", seed)).isEqualTo(0x283E0130);
        assertThat(hash("aa", seed)).isEqualTo(0x5D211726);
        assertThat(hash("a", seed)).isEqualTo(0x7FA09EA6);
        assertThat(hash("abcd", seed)).isEqualTo(0xF0478627);
        assertThat(hash("abc", seed)).isEqualTo(0xC84A62DD);
        assertThat(hash("ab", seed)).isEqualTo(0x74875592);
        assertThat(hash("Hello, world!", seed)).isEqualTo(0x24884CBA);
        assertThat(hash("ππππππππ", seed)).isEqualTo(0xD58063C1);
        assertThat(hash("a".repeat(256), seed)).isEqualTo(0x37405BDC);
        assertThat(hash("The quick brown fox jumps over the lazy dog", seed)).isEqualTo(0x2FA826CD);
        assertThat(hash("hello", 0)).isEqualTo(0x248bfa47);
    }

    @Test
    void hashingAPrefixThenAStringEqualsHashingTheirConcatenatedUtf8() {
        Random random = new Random(7);
        String[] alphabets = {"abcdefghijklmnopqrstuvwxyz0123456789-_", "äöüßéñ", "€中文字", "😀🚀", "\ud800x\udc00"};
        for (int i = 0; i < 20_000; i++) {
            String prefix = randomString(random, alphabets, random.nextInt(12)) + ":";
            String s = randomString(random, alphabets, random.nextInt(40));
            int expected = Murmur3.hash((prefix + s).getBytes(StandardCharsets.UTF_8), 0);
            assertThat(Murmur3.hash(Murmur3.prefix(prefix), s)).as("%s + %s", prefix, s).isEqualTo(expected);
        }
        assertThat(Murmur3.hash(Murmur3.EMPTY, "hello".getBytes(StandardCharsets.UTF_8))).isEqualTo(0x248bfa47);
        assertThat(Murmur3.hash(Murmur3.prefix("new-checkout:"), "u-42"))
                .isEqualTo(Murmur3.hash("new-checkout:u-42".getBytes(StandardCharsets.UTF_8), 0));
    }

    @Test
    void everyPrefixAlignmentAndShortIdGivesTheHashOfTheConcatenation() {
        for (int p = 0; p <= 9; p++) {
            String prefix = "abcdefghi".substring(0, p);
            for (int n = 0; n <= 9; n++) {
                String id = "012345678".substring(0, n);
                byte[] whole = (prefix + id).getBytes(StandardCharsets.UTF_8);
                assertThat(Murmur3.hash(Murmur3.prefix(prefix), id.getBytes(StandardCharsets.UTF_8)))
                        .as("%s + %s", prefix, id).isEqualTo(Murmur3.hash(whole, 0));
            }
        }
    }

    private static String randomString(Random random, String[] alphabets, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            String alphabet = alphabets[random.nextInt(alphabets.length)];
            int at = random.nextInt(alphabet.length());
            sb.append(alphabet.charAt(at));
        }
        return sb.toString();
    }
}
