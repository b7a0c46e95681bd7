package dev.gantry.plugins.builder.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestLineSplitter {
    private final LineSplitter splitter = new LineSplitter();
    private final List<String> lines = new ArrayList<>();

    @Test
    void joinsLinesThatArriveInPieces() {
        feed("first li");
        feed("ne\nsecond line\nthi");
        assertThat(lines).containsExactly("first line", "second line");

        feed("rd\n");
        splitter.finish(lines::add);

        assertThat(lines).containsExactly("first line", "second line", "third");
    }

    @Test
    void handsOverALastLineWithoutNewlineWhenTheStreamEnds() {
        feed("no newline");
        assertThat(lines).isEmpty();

        splitter.finish(lines::add);

        assertThat(lines).containsExactly("no newline");
    }

    @Test
    void keepsEmptyLinesAndDropsTheCarriageReturnOfCrlf() {
        feed("a\r\n\nb\r\n");

        assertThat(lines).containsExactly("a", "", "b");
    }

    @Test
    void decodesUtf8SplitAcrossChunksAndReplacesWhatIsNotUtf8() {
        byte[] euro = "€\n".getBytes(StandardCharsets.UTF_8);
        splitter.accept(euro, 0, 1, lines::add);
        splitter.accept(euro, 1, euro.length - 1, lines::add);
        splitter.accept(new byte[] {'x', (byte) 0xFF, 'y', '\n'}, 0, 4, lines::add);

        assertThat(lines).containsExactly("€", "x\uFFFDy");
    }

    @Test
    void cutsALineAt64KibAndSaysHowMuchWasCut() {
        feed("a".repeat(LineSplitter.MAX_LINE_BYTES + 10) + "\nnext\n");

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("a".repeat(LineSplitter.MAX_LINE_BYTES) + " [line cut at 64 KiB: 10 more bytes]");
        assertThat(lines.get(1)).isEqualTo("next");
    }

    @Test
    void neverCutsACharacterInHalf() {
        // 65535 single bytes, then a three-byte character straddling the 64 KiB boundary
        feed("a".repeat(LineSplitter.MAX_LINE_BYTES - 1) + "€\n");

        assertThat(lines).containsExactly("a".repeat(LineSplitter.MAX_LINE_BYTES - 1) + " [line cut at 64 KiB: 3 more bytes]");
    }

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.accept(bytes, 0, bytes.length, lines::add);
    }
}
