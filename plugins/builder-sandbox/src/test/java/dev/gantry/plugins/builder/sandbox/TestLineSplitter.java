package dev.gantry.plugins.builder.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestLineSplitter {
    private final List<String> lines = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(lines::add);

    @Test
    void passesOnEachLineWithoutItsEndAsSoonAsItIsComplete() {
        feed("first\nsec");
        assertThat(lines).containsExactly("first");

        feed("ond\r\n\nthird");
        assertThat(lines).containsExactly("first", "second", "");

        splitter.finish();
        assertThat(lines).containsExactly("first", "second", "", "third");
    }

    @Test
    void cutsALineWithNoEndEvery64KiBWithoutSplittingACharacter() {
        // two bytes, then 3-byte characters: a cut at 64 KiB would fall inside one
        String text = "ab" + "€".repeat(30_000) + "\n";

        feed(text);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).getBytes(StandardCharsets.UTF_8)).hasSize(LineSplitter.MAX_LINE_BYTES - 2);
        assertThat(String.join("", lines)).isEqualTo(text.strip());
        assertThat(lines).noneMatch(line -> line.contains("\uFFFD"));
    }

    @Test
    void replacesBytesThatAreNotUtf8() {
        splitter.accept(new byte[] {'o', (byte) 0xFF, 'k', '\n'}, 0, 4);

        assertThat(lines).containsExactly("o\uFFFDk");
    }

    @Test
    void streamsOutputOfAnySizeThroughAFixedBuffer() throws IOException {
        long total = 300L * 1024 * 1024;
        InputStream endless = new InputStream() {
            private long sent;

            @Override
            public int read() {
                return sent++ < total ? 'x' : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (sent >= total) {
                    return -1;
                }
                int n = (int) Math.min(length, total - sent);
                java.util.Arrays.fill(buffer, offset, offset + n, (byte) 'x');
                sent += n;
                return n;
            }
        };
        long[] seen = new long[2];

        new LineSplitter(line -> {
            seen[0]++;
            seen[1] += line.length();
        }).pump(endless);

        assertThat(seen[0]).isEqualTo(total / LineSplitter.MAX_LINE_BYTES);
        assertThat(seen[1]).isEqualTo(total);
    }

    @Test
    void readsAStreamToItsEnd() throws IOException {
        splitter.pump(new ByteArrayInputStream("one\ntwo".getBytes(StandardCharsets.UTF_8)));

        assertThat(lines).containsExactly("one", "two");
    }

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.accept(bytes, 0, bytes.length);
    }
}
