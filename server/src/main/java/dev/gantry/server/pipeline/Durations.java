package dev.gantry.server.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as pipeline.yaml writes them: hours, minutes and seconds in that order, such as {@code 30s}, {@code 5m},
 * {@code 1h30m}. JSON uses the same text, so a snapshot reads like the file it came from.
 */
public final class Durations {
    public static final Duration MAX = Duration.ofHours(24);
    private static final Pattern FORMAT = Pattern.compile("(?:([0-9]{1,6})h)?(?:([0-9]{1,6})m)?(?:([0-9]{1,6})s)?");

    private Durations() {
    }

    /** The duration {@code text} names, if it is in the format at all (zero and over-long values included). */
    public static Optional<Duration> parse(String text) {
        if (text.isEmpty() || text.length() > 32) {
            return Optional.empty();
        }
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long seconds = part(matcher.group(1)) * 3600 + part(matcher.group(2)) * 60 + part(matcher.group(3));
        return Optional.of(Duration.ofSeconds(seconds));
    }

    private static long part(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }

    public static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds == 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            text.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 > 0) {
            text.append(seconds % 60).append('s');
        }
        return text.toString();
    }

    public static final class JsonWriter extends StdSerializer<Duration> {
        public JsonWriter() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator json, SerializerProvider provider) throws IOException {
            json.writeString(format(value));
        }
    }

    public static final class JsonReader extends StdDeserializer<Duration> {
        public JsonReader() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser json, DeserializationContext context) throws IOException {
            String text = json.getValueAsString();
            return parse(text == null ? "" : text)
                    .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a duration like 30s, 5m or 1h30m"));
        }
    }
}
