package dev.gantry.sdk;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The tests' System.LoggerFinder (registered in META-INF/services): keeps what the SDK logs at INFO and above, so a
 * test can check that something was logged once, and prints it to stderr as the JDK's default would.
 */
public final class RecordingLoggerFinder extends System.LoggerFinder {
    record Entry(String logger, System.Logger.Level level, String message) {
    }

    private static final List<Entry> ENTRIES = new CopyOnWriteArrayList<>();

    static List<Entry> entries(Predicate<Entry> which) {
        return ENTRIES.stream().filter(which).toList();
    }

    static void clear() {
        ENTRIES.clear();
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new System.Logger() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean isLoggable(Level level) {
                return name.startsWith("dev.gantry") && level.getSeverity() >= Level.INFO.getSeverity();
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                record(level, msg, thrown);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                record(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params), null);
            }

            private void record(Level level, String message, Throwable thrown) {
                if (!isLoggable(level)) {
                    return;
                }
                ENTRIES.add(new Entry(name, level, message));
                System.err.println(level + " " + message + (thrown == null ? "" : " " + thrown));
            }
        };
    }
}
