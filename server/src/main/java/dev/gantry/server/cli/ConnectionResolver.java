package dev.gantry.server.cli;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Finds the server URL and the API token, each from the first place that has it: the command's options
 * ({@code --server}; {@code --token} or {@code --token-file}), then the environment ({@code GANTRY_URL},
 * {@code GANTRY_TOKEN}), then the config file ({@code server=}, {@code token=}): {@code $GANTRY_CONFIG}, else
 * {@code $XDG_CONFIG_HOME/gantry/cli.properties}, else {@code ~/.config/gantry/cli.properties}.
 */
public final class ConnectionResolver {
    static final String URL_VARIABLE = "GANTRY_URL";
    static final String TOKEN_VARIABLE = "GANTRY_TOKEN";
    static final String CONFIG_VARIABLE = "GANTRY_CONFIG";
    private static final Set<String> CONFIG_KEYS = Set.of("server", "token");

    private final Map<String, String> environment;
    private final Path home;
    private Properties config;

    /**
     * {@code environment} is the process's ({@link System#getenv()}); the home directory is its {@code HOME}, as for
     * other command-line tools, else {@code defaultHome}.
     */
    public ConnectionResolver(Map<String, String> environment, Path defaultHome) {
        this.environment = environment;
        String homeVariable = nonBlank(environment.get("HOME"));
        this.home = homeVariable != null ? Path.of(homeVariable) : defaultHome;
    }

    /** The connection from these option values (each may be null); exit code 2 when something is missing or malformed. */
    public Connection resolve(String serverOption, String tokenOption, Path tokenFileOption) {
        if (tokenOption != null && tokenFileOption != null) {
            throw usage("give --token or --token-file, not both");
        }
        return new Connection(server(serverOption), token(tokenOption, tokenFileOption));
    }

    /** The config file in use: {@code $GANTRY_CONFIG}, or the per-user default. */
    Path configFile() {
        String named = nonBlank(environment.get(CONFIG_VARIABLE));
        if (named != null) {
            return Path.of(named);
        }
        String xdg = nonBlank(environment.get("XDG_CONFIG_HOME"));
        Path base = xdg != null ? Path.of(xdg) : home.resolve(".config");
        return base.resolve("gantry").resolve("cli.properties");
    }

    private URI server(String option) {
        if (nonBlank(option) != null) {
            return parseUrl(option, "--server");
        }
        String variable = nonBlank(environment.get(URL_VARIABLE));
        if (variable != null) {
            return parseUrl(variable, URL_VARIABLE);
        }
        String configured = nonBlank(config().getProperty("server"));
        if (configured != null) {
            return parseUrl(configured, "server= in " + configFile());
        }
        throw usage("no Gantry server configured: pass --server URL, set " + URL_VARIABLE + ", or put server=URL in "
                + configFile());
    }

    private String token(String option, Path file) {
        if (option != null) {
            return checkToken(option.strip(), "--token");
        }
        if (file != null) {
            return checkToken(readTokenFile(file), "the token file " + file);
        }
        String variable = nonBlank(environment.get(TOKEN_VARIABLE));
        if (variable != null) {
            return checkToken(variable.strip(), TOKEN_VARIABLE);
        }
        String configured = nonBlank(config().getProperty("token"));
        if (configured != null) {
            return checkToken(configured.strip(), "token= in " + configFile());
        }
        throw usage("no API token configured: pass --token-file PATH (or --token), set " + TOKEN_VARIABLE
                + ", or put token=... in " + configFile());
    }

    private static String readTokenFile(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw usage("the token file " + file + " does not exist");
        } catch (IOException e) {
            throw usage("cannot read the token file " + file + ": " + e.getMessage());
        }
    }

    /** A token is one word; saying what is wrong without showing it. */
    private static String checkToken(String token, String source) {
        if (token.isEmpty()) {
            throw usage("the API token from " + source + " is empty");
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw usage("the API token from " + source + " contains spaces, line breaks or other characters a token never has");
        }
        return token;
    }

    static URI parseUrl(String text, String source) {
        String trimmed = text.strip();
        URI uri;
        try {
            uri = new URI(trimmed.endsWith("/") ? trimmed : trimmed + "/");
        } catch (URISyntaxException e) {
            throw usage(source + ": '" + trimmed + "' is not a URL (" + e.getReason() + ")");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw usage(source + ": '" + trimmed + "' is not an http:// or https:// URL with a host (e.g. http://localhost:8080)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw usage(source + ": '" + trimmed + "' should be the server's base URL, without ? or #");
        }
        return uri;
    }

    /** The config file's settings, read once; an absent default file is no settings, an absent named one an error. */
    private Properties config() {
        if (config != null) {
            return config;
        }
        Path file = configFile();
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            if (nonBlank(environment.get(CONFIG_VARIABLE)) != null) {
                throw usage(CONFIG_VARIABLE + " names " + file + ", which does not exist");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw usage("cannot read the config file " + file + ": " + e.getMessage());
        }
        for (String key : properties.stringPropertyNames()) {
            if (!CONFIG_KEYS.contains(key)) {
                throw usage(file + ": unknown key '" + key + "' (the keys are server and token)");
            }
        }
        config = properties;
        return config;
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }
}
