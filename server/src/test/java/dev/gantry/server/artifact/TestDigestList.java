package dev.gantry.server.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestDigestList {
    private static final String HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void readsWhatArtifactDigestReadsAndWritesTheSameForm() {
        for (String text : List.of("sha256:" + HEX, HEX, HEX.toUpperCase(), "SHA256:" + HEX.toUpperCase(), "Sha256:" + HEX,
                "0".repeat(64), "f".repeat(64))) {
            DigestList list = new DigestList();
            assertThat(list.addText(text)).as(text).isTrue();
            assertThat(list.text(0)).as(text).isEqualTo(ArtifactDigest.parse(text).toString());
            assertThat(list.indexOf(ArtifactDigest.parse(text).toString())).as(text).isZero();
        }
    }

    @Test
    void refusesWhatArtifactDigestRefuses() {
        List<String> refused = List.of("", "sha256:", "sha1:" + HEX, HEX.substring(1), HEX + "0", "sha256:../" + HEX.substring(3),
                HEX.substring(0, 63) + "g", "sha256: " + HEX.substring(1), "sha256;" + HEX, "xsha256" + HEX,
                // digits of other scripts are digits to Character.digit, not to a digest
                HEX.substring(0, 63) + "\u0663", HEX.substring(0, 63) + "\uff41");
        for (String text : refused) {
            DigestList list = new DigestList();
            assertThat(list.addText(text)).as(text).isFalse();
            assertThat(list.size()).isZero();
            assertThat(ArtifactDigest.tryParse(text)).as(text).isEmpty();
        }
        assertThat(new DigestList().addText(null)).isFalse();
    }

    @Test
    void keepsTheFirstOfEachDigestInOrder() throws Exception {
        DigestList list = new DigestList(2);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            String digest = sha256(i);
            expected.add(digest);
            assertThat(list.addText(digest)).isTrue();
            // the same digest again, bare and in capitals, is not listed twice
            assertThat(list.addText(digest.substring(7).toUpperCase())).isTrue();
        }
        assertThat(list.size()).isEqualTo(5000);
        for (int i = 0; i < 5000; i++) {
            assertThat(list.text(i)).isEqualTo(expected.get(i));
        }
    }

    @Test
    void removingSomeKeepsTheOthersInOrder() throws Exception {
        DigestList list = new DigestList();
        for (int i = 0; i < 100; i++) {
            list.addText(sha256(i));
        }
        BitSet present = new BitSet();
        Random random = new Random(3);
        for (int i = 0; i < 30; i++) {
            present.set(random.nextInt(100));
        }

        list.removeAll(present);
        DigestList rest = list;

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (!present.get(i)) {
                expected.add(sha256(i));
            }
        }
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            actual.add(rest.text(i));
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(rest.indexOf(expected.get(3))).isEqualTo(3);
        assertThat(rest.addText(expected.get(0))).isTrue();
        assertThat(rest.size()).isEqualTo(expected.size());
    }

    @Test
    void findsADigestByItsTextAndListsThePrefixesInOrder() throws Exception {
        DigestList list = new DigestList();
        String sameStart = "sha256:" + HEX.substring(0, 16) + "0".repeat(48);
        list.addText(sha256(1));
        list.addText("sha256:" + HEX);
        list.addText(sameStart);

        assertThat(list.indexOf("sha256:" + HEX)).isEqualTo(1);
        assertThat(list.indexOf(sameStart)).isEqualTo(2);
        assertThat(list.indexOf(sha256(2))).isEqualTo(-1);
        assertThat(list.indexOf("not a digest")).isEqualTo(-1);
        // the first eight bytes as signed longs, in order; the last two digests share theirs
        long hex = Long.parseUnsignedLong(HEX.substring(0, 16), 16);
        assertThat(list.prefixes()).containsExactly(Long.parseUnsignedLong(sha256(1).substring(7, 23), 16), hex, hex);
        assertThat(hex).isNegative();
    }

    private static String sha256(int i) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(("artifact " + i).getBytes()));
    }
}
