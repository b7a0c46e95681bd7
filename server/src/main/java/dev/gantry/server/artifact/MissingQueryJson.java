package dev.gantry.server.artifact;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The JSON of POST /api/artifacts/missing, {@code {"digests": [...]}} in and {@code {"missing": [...]}} out, read
 * token by token and written byte by byte, straight from and to the digests' bits: no string per digest.
 * Errors are the mapper's: malformed JSON, an unknown field, a missing {@code digests}; then too many digests, and
 * the first value that is not a digest, by its index.
 */
final class MissingQueryJson {
    static final int MAX_DIGESTS = 200_000;
    private static final byte[] OPEN = "{\"missing\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "]}".getBytes(StandardCharsets.US_ASCII);

    private MissingQueryJson() {
    }

    static DigestList read(InputStream body) throws IOException {
        return read(body, -1);
    }

    /** {@code contentLength}, when known (else -1), sizes the list up front: a digest takes at least 67 bytes of JSON. */
    static DigestList read(InputStream body, long contentLength) throws IOException {
        try (JsonParser parser = Json.mapper().getFactory().createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == null || token == JsonToken.VALUE_NULL) {
                throw ApiException.missingField("digests");
            }
            if (token != JsonToken.START_OBJECT) {
                throw new ApiException(400, "invalid_body", "the request body does not match what this route takes: "
                        + "expected {\"digests\": [...]}");
            }
            DigestList digests = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                if (!field.equals("digests")) {
                    throw new ApiException(400, "invalid_body", "unknown field '" + field + "'", Map.of("field", field));
                }
                digests = switch (parser.nextToken()) {
                    case VALUE_NULL -> null;
                    case START_ARRAY -> readArray(parser, expectedDigests(contentLength));
                    default -> throw new ApiException(400, "invalid_body", "field 'digests' is a list of digests",
                            Map.of("field", "digests"));
                };
            }
            if (digests == null) {
                throw ApiException.missingField("digests");
            }
            return digests;
        }
    }

    private static int expectedDigests(long contentLength) {
        return contentLength < 0 ? 1024 : (int) Math.min(contentLength / 67, MAX_DIGESTS);
    }

    /** Reads to the end of the array even past the limit or a bad value, so the errors say what the whole list holds. */
    private static DigestList readArray(JsonParser parser, int expected) throws IOException {
        DigestList digests = new DigestList(expected);
        int count = 0;
        int firstInvalid = -1;
        // the parser fails on a body that ends inside the array, so every token here is a value
        for (JsonToken token; (token = parser.nextToken()) != JsonToken.END_ARRAY; count++) {
            if (count >= MAX_DIGESTS || firstInvalid >= 0) {
                parser.skipChildren();
                continue;
            }
            boolean valid = token == JsonToken.VALUE_STRING
                    && digests.addText(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            if (!valid) {
                parser.skipChildren();
                firstInvalid = count;
            }
        }
        if (count > MAX_DIGESTS) {
            throw new ApiException(400, "too_many_digests", "ask about at most " + MAX_DIGESTS + " digests at once",
                    Map.of("limit", MAX_DIGESTS));
        }
        if (firstInvalid >= 0) {
            throw new ApiException(400, "invalid_digest", "digests[" + firstInvalid + "] is not a digest: write "
                    + "sha256:<64 hex digits> or the 64 hex digits alone", Map.of("index", firstInvalid));
        }
        return digests;
    }

    /** Writes {@code {"missing":[...]}} as the mapper would; digests' text needs no escaping, so it is copied in. */
    static void writeMissing(DigestList missing, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int length = copy(OPEN, buffer, 0);
        for (int i = 0; i < missing.size(); i++) {
            if (length + DigestList.TEXT_LENGTH + 3 > buffer.length) {
                out.write(buffer, 0, length);
                length = 0;
            }
            if (i > 0) {
                buffer[length++] = ',';
            }
            buffer[length++] = '"';
            missing.writeText(i, buffer, length);
            length += DigestList.TEXT_LENGTH;
            buffer[length++] = '"';
        }
        if (length + CLOSE.length > buffer.length) {
            out.write(buffer, 0, length);
            length = 0;
        }
        length = copy(CLOSE, buffer, length);
        out.write(buffer, 0, length);
    }

    private static int copy(byte[] bytes, byte[] into, int offset) {
        System.arraycopy(bytes, 0, into, offset, bytes.length);
        return offset + bytes.length;
    }
}
