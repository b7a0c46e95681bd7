package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a pipeline.yaml: UTF-8 YAML 1.2 (core schema, so {@code yes} and {@code on} stay strings), at most 1 MiB,
 * nested at most {@value #MAX_DEPTH} levels, with few aliases. Every problem comes with its line and column; all of
 * them are reported together when the file is well-formed YAML, the first syntax error alone when it is not.
 */
public final class PipelineParser {
    public static final int MAX_BYTES = 1 << 20;
    static final int MAX_DEPTH = 64;
    /** Aliases of lists and mappings; each can copy a whole subtree, which is how YAML bombs grow. */
    static final int MAX_COLLECTION_ALIASES = 50;

    private static final String TAB_MESSAGE = "tabs are not allowed for indentation; use spaces";

    private PipelineParser() {
    }

    /** The pipeline {@code yaml} describes; a {@link PipelineException} with every problem found if it is not valid. */
    public static PipelineDefinition parse(byte[] yaml) {
        return read(yaml, "pipeline.yaml", "; it needs at least 'version' and 'stages'", (reader, root) -> reader.read(root));
    }

    /**
     * A {@code deploy:} section on its own (the body of {@code POST /api/services}: JSON is YAML too), checked by the
     * same rules and with the same line-and-column problems as in pipeline.yaml.
     */
    public static DeploySpec parseDeploy(byte[] yamlOrJson) {
        return read(yamlOrJson, "the deploy settings", "; they need at least 'service'", (reader, root) -> reader.readDeploy(root));
    }

    private static <T> T read(byte[] yaml, String what, String needs,
                              java.util.function.BiFunction<PipelineReader, Node, T> reading) {
        requireNonNull(yaml, "yaml is null");
        Problems problems = new Problems();
        if (yaml.length > MAX_BYTES) {
            problems.add(1, 1, "too_large", what + " is larger than 1 MiB (" + MAX_BYTES + " bytes), the most it may be");
            throw problems.exception();
        }
        String text = decode(yaml, problems);
        if (problems.any()) {
            throw problems.exception();
        }
        if (isBlank(text)) {
            problems.add(1, 1, "empty", what + " is empty" + needs);
            throw problems.exception();
        }
        checkCharacters(text, problems);
        if (problems.any()) {
            throw problems.exception();
        }
        Optional<Node> root = compose(text, problems);
        if (problems.any()) {
            throw problems.exception();
        }
        if (root.isEmpty()) {
            problems.add(1, 1, "empty", what + " has only comments" + needs);
            throw problems.exception();
        }
        T result;
        try {
            result = reading.apply(new PipelineReader(problems), root.get());
        } catch (Problems.Abort stopped) {
            result = null;
        }
        if (problems.any() || result == null) {
            throw problems.exception();
        }
        return result;
    }

    /** Strict UTF-8: one problem per line that holds bytes that are not UTF-8, so a binary file does not flood the list. */
    private static String decode(byte[] bytes, Problems problems) {
        if (startsWith(bytes, 0xFE, 0xFF) || startsWith(bytes, 0xFF, 0xFE)) {
            problems.add(1, 1, "invalid_encoding", "pipeline.yaml must be UTF-8; it starts with a UTF-16 byte order mark");
            return "";
        }
        int offset = startsWith(bytes, 0xEF, 0xBB, 0xBF) ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        LineCounter lines = new LineCounter();
        int lastReportedLine = 0;
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (!result.isError()) {
                decoder.flush(out);
                break;
            }
            // a view from the start of the decoded text: CharBuffer's own charAt counts from its position
            lines.advance(CharBuffer.wrap(out.array(), 0, out.position()), out.position());
            if (lines.line() != lastReportedLine) {
                lastReportedLine = lines.line();
                int badByte = bytes[in.position()] & 0xFF;
                problems.add(lines.line(), lines.column(), "invalid_encoding", String.format(
                        "pipeline.yaml must be UTF-8 text; byte 0x%02X here does not begin a valid UTF-8 character", badByte));
            }
            in.position(in.position() + result.length());
        }
        out.flip();
        return out.toString();
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Control characters and the like, which YAML forbids anywhere; one problem per line that has any. */
    private static void checkCharacters(String text, Problems problems) {
        LineCounter lines = new LineCounter();
        int lastReportedLine = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (!StreamReader.isPrintable(codePoint)) {
                lines.advance(text, i);
                if (lines.line() != lastReportedLine) {
                    lastReportedLine = lines.line();
                    String message = String.format("the character U+%04X is not allowed in YAML; remove it", codePoint);
                    if (codePoint == 0) {
                        message += " (NUL bytes usually mean the file is UTF-16 or binary, not UTF-8 text)";
                    }
                    problems.add(lines.line(), lines.column(), "invalid_character", message);
                }
            }
            i += Character.charCount(codePoint);
        }
    }

    private static Optional<Node> compose(String text, Problems problems) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel("pipeline.yaml")
                .setSchema(new CoreSchema())
                // both are reported by the reader instead, with their positions and all at once
                .setAllowDuplicateKeys(true)
                .setAllowNonScalarKeys(true)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(MAX_COLLECTION_ALIASES)
                .setCodePointLimit(MAX_BYTES)
                // with marks on, the reader keeps all it has read and copies it on every refill of its buffer; one
                // buffer for the whole text makes that a single copy instead of a quadratic number of them
                .setBufferSize(text.length() + 1)
                .setParseComments(false)
                .setUseMarks(true)
                .build();
        NestingLimitedParser parser = new NestingLimitedParser(new ParserImpl(settings, new StreamReader(settings, text)), MAX_DEPTH);
        try {
            return new Composer(settings, parser).getSingleNode();
        } catch (NestingLimitedParser.TooDeep e) {
            add(problems, e.mark(), "too_deep", "pipeline.yaml nests lists and mappings more than " + MAX_DEPTH + " levels deep");
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().or(e::getContextMark).or(parser::lastMark);
            String problem = e.getProblem() == null ? "" : e.getProblem();
            if (problem.contains("(TAB)") || isTabAt(mark)) {
                reportTabs(text, mark, problems);
            } else if (problem.contains("found another document")) {
                add(problems, mark, "multiple_documents", "pipeline.yaml must hold one YAML document; a second one starts here");
            } else {
                add(problems, mark, "syntax", "YAML syntax error: " + syntaxMessage(e));
            }
        } catch (YamlEngineException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.startsWith("Number of aliases")) {
                add(problems, parser.lastMark(), "too_many_aliases", "pipeline.yaml uses more than " + MAX_COLLECTION_ALIASES
                        + " aliases of lists and mappings; repeat the values instead");
            } else {
                add(problems, parser.lastMark(), "syntax", "YAML error: " + clip(message));
            }
        } catch (RuntimeException e) {
            // the YAML library turns down a few malformed inputs with plain runtime exceptions (a tag holding an
            // escaped control character fails with IllegalArgumentException); they are problems with the file too
            add(problems, parser.lastMark(), "syntax", "YAML error: " + clip(e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        }
        return Optional.empty();
    }

    private static String syntaxMessage(MarkedYamlEngineException e) {
        StringBuilder message = new StringBuilder(clip(e.getProblem() == null ? "not valid YAML" : e.getProblem()));
        if (e.getContext() != null && !e.getContext().isBlank()) {
            message.append(" (").append(clip(e.getContext()));
            e.getContextMark().ifPresent(mark -> message.append(" that started at line ").append(mark.getLine() + 1)
                    .append(", column ").append(mark.getColumn() + 1));
            message.append(')');
        }
        return message.toString();
    }

    /**
     * The YAML scanner stops at the first tab it cannot accept; every later line indented with a tab would fail the
     * same way, so all of them are reported, each at its first tab.
     */
    private static void reportTabs(String text, Optional<Mark> mark, Problems problems) {
        int fromLine = mark.map(Mark::getLine).orElse(0);
        int line = 0;
        int lineStart = 0;
        int reported = 0;
        for (int i = 0; i <= text.length(); i++) {
            boolean end = i == text.length();
            char c = end ? '\n' : text.charAt(i);
            if (c != '\n' && c != '\r') {
                continue;
            }
            if (line >= fromLine) {
                int tab = leadingTab(text, lineStart, i);
                if (tab >= 0) {
                    problems.add(line + 1, text.codePointCount(lineStart, tab) + 1, "tab_indentation", TAB_MESSAGE);
                    reported++;
                }
            }
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                i++;
            }
            line++;
            lineStart = i + 1;
        }
        if (reported == 0) {
            add(problems, mark, "tab_indentation", TAB_MESSAGE);
        }
    }

    /** The index of the first tab among the blanks that start a line with content, or -1. */
    private static int leadingTab(String text, int from, int to) {
        int tab = -1;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\t') {
                tab = tab < 0 ? i : tab;
            } else if (c != ' ') {
                return tab;
            }
        }
        return -1;
    }

    private static boolean isTabAt(Optional<Mark> mark) {
        return mark.filter(m -> m.getPointer() >= 0 && m.getPointer() < m.getBuffer().length)
                .map(m -> m.getBuffer()[m.getPointer()] == '\t')
                .orElse(false);
    }

    private static void add(Problems problems, Optional<Mark> mark, String rule, String message) {
        problems.add(mark.map(m -> m.getLine() + 1).orElse(1), mark.map(m -> m.getColumn() + 1).orElse(1), rule, message);
    }

    /** The YAML library quotes input in some messages; a long one is cut so that a problem stays one readable line. */
    private static String clip(String message) {
        String oneLine = message.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
    }

    /** 1-based line and column (in code points, as the YAML library counts) of a position in a text, moving forward only. */
    static final class LineCounter {
        private int index;
        private int line = 1;
        private int column = 1;

        void advance(CharSequence text, int to) {
            for (; index < to; index++) {
                char c = text.charAt(index);
                if (c == '\n' || (c == '\r' && (index + 1 >= text.length() || text.charAt(index + 1) != '\n'))) {
                    line++;
                    column = 1;
                } else if (c != '\r' && !Character.isLowSurrogate(c)) {
                    column++;
                }
            }
        }

        int line() {
            return line;
        }

        int column() {
            return column;
        }
    }
}
