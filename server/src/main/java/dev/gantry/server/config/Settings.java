package dev.gantry.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The server's raw settings: {@code conf/gantry.properties}, overridden by {@code GANTRY_*} environment variables
 * ({@code http.port} ↔ {@code GANTRY_HTTP_PORT}). Each feature's config reads the keys it knows; problems are
 * collected, and {@link #validate()} then fails on them and on every key nobody read, so a typo stops start-up.
 */
public final class Settings {
    /** Environment variables the launcher script uses for itself; they are not settings. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("GANTRY_HOME", "GANTRY_OPTS", "GANTRY_CDS");
    private static final String PLUGIN_PREFIX = "plugin.";

    private final Map<String, String> fileValues;
    private final Map<String, String> environment;
    private final String fileName;
    private final Set<String> readKeys = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    public Settings(Map<String, String> fileValues, Map<String, String> environment, String fileName) {
        this.fileValues = new TreeMap<>(fileValues);
        this.environment = new TreeMap<>(environment);
        this.fileName = fileName;
    }

    /** Reads {@code file} if it exists; a missing file means every default. */
    public static Settings load(Path file, Map<String, String> environment) {
        Map<String, String> values = new TreeMap<>();
        if (file != null && Files.exists(file)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(List.of(file + ": cannot be read: " + e.getMessage()));
            }
            properties.stringPropertyNames().forEach(name -> values.put(name.trim(), properties.getProperty(name).trim()));
        }
        return new Settings(values, environment, file == null ? "configuration" : file.toString());
    }

    public static String environmentName(String key) {
        return "GANTRY_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Optional<String> optionalString(String key) {
        readKeys.add(key);
        String value = environment.get(environmentName(key));
        if (value == null) {
            value = fileValues.get(key);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = optionalString(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                problem(key, "must be between " + min + " and " + max + ", got " + value);
                return defaultValue;
            }
            return value;
        } catch (NumberFormatException e) {
            problem(key, "must be a whole number, got '" + raw.get() + "'");
            return defaultValue;
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = optionalString(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(key, "must be true or false, got '" + raw.get() + "'");
                yield defaultValue;
            }
        };
    }

    /**
     * A duration written as ISO-8601 ({@code PT30S}) or as a number with a unit: {@code 500ms}, {@code 30s},
     * {@code 5m}, {@code 2h}, {@code 90d}.
     */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> raw = optionalString(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String text = raw.get();
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                return Duration.parse(text);
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            long amount = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            problem(key, "must be a duration such as 500ms, 30s, 5m, 2h, 90d or PT1H, got '" + text + "'");
            return defaultValue;
        }
    }

    public Optional<Path> optionalPath(String key) {
        return optionalString(key).map(Path::of);
    }

    /** A value that has no default: its absence is a problem. */
    public String required(String key) {
        Optional<String> value = optionalString(key);
        if (value.isEmpty()) {
            problem(key, "is required (set it in " + fileName + " or as " + environmentName(key) + ")");
            return "";
        }
        return value.get();
    }

    /** Every {@code plugin.<id>.<key>} setting, by plugin id, with the prefix removed. */
    public Map<String, Map<String, String>> pluginSettings() {
        Map<String, Map<String, String>> byPlugin = new TreeMap<>();
        fileValues.forEach((key, value) -> {
            if (key.startsWith(PLUGIN_PREFIX)) {
                readKeys.add(key);
                String rest = key.substring(PLUGIN_PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot <= 0 || dot == rest.length() - 1) {
                    problem(key, "plugin settings are written plugin.<plugin id>.<key>");
                } else {
                    byPlugin.computeIfAbsent(rest.substring(0, dot), id -> new TreeMap<>()).put(rest.substring(dot + 1), value);
                }
            }
        });
        return byPlugin;
    }

    public void problem(String key, String reason) {
        problems.add(key + ": " + reason);
    }

    /** Fails with every problem found so far and every key or {@code GANTRY_*} variable that no config read. */
    public void validate() {
        List<String> all = new ArrayList<>(problems);
        Set<String> knownEnvironmentNames = new HashSet<>(LAUNCHER_VARIABLES);
        readKeys.forEach(key -> knownEnvironmentNames.add(environmentName(key)));
        fileValues.keySet().stream()
                .filter(key -> !readKeys.contains(key))
                .forEach(key -> all.add(key + ": unknown setting in " + fileName));
        environment.keySet().stream()
                .filter(name -> name.startsWith("GANTRY_") && !knownEnvironmentNames.contains(name))
                .forEach(name -> all.add(name + ": unknown setting in the environment"));
        if (!all.isEmpty()) {
            throw new ConfigException(all);
        }
    }
}
