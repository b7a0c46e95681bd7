package dev.gantry.server.pipeline;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as pipeline.yaml writes them: a whole number of KiB, MiB or GiB, such as {@code 512MiB} or {@code 2GiB}. */
final class Sizes {
    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,9})(KiB|MiB|GiB)");

    private Sizes() {
    }

    static Optional<Long> parseBytes(String text) {
        if (text.length() > 16) {
            return Optional.empty();
        }
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(matcher.group(1));
        int shift = switch (matcher.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            default -> 30;
        };
        return Optional.of(amount << shift);
    }
}
