package dev.gantry.server.testing;

import dev.gantry.server.bootstrap.GantryServer;
import dev.gantry.server.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real Gantry server on a free port, with its own fresh database and data directory. */
public final class TestServer implements AutoCloseable {
    /** The admin token every test server is bootstrapped with. */
    public static final String ADMIN_TOKEN = "gty_test-admin-token-0123456789abcdef";

    private final GantryServer server;
    private final Path home;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final Api api;
    private final Map<String, String> settings;

    private TestServer(Map<String, String> extraSettings) {
        try {
            home = Files.createTempDirectory("gantry-test-");
            Files.createDirectories(home.resolve("plugins"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", "0");
        settings.put("database.url", TestPostgres.newDatabase());
        settings.put("database.user", "postgres");
        settings.put("database.pool-size", "4");
        settings.put("bootstrap.token", ADMIN_TOKEN);
        settings.putAll(extraSettings);
        this.settings = Map.copyOf(settings);
        server = GantryServer.create(new Settings(settings, Map.of(), "test settings"), home,
                new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            server.start();
        } catch (Exception e) {
            server.close();
            throw new IllegalStateException("test server did not start", e);
        }
        api = new Api(server.url());
    }

    public static TestServer start() {
        return new TestServer(Map.of());
    }

    public static TestServer start(Map<String, String> settings) {
        return new TestServer(settings);
    }

    /** The settings this server runs with, e.g. to start another one on the same database. */
    public Map<String, String> settings() {
        return settings;
    }

    public Api api() {
        return api;
    }

    public Path home() {
        return home;
    }

    public GantryServer server() {
        return server;
    }

    public String console() {
        return console.toString(StandardCharsets.UTF_8);
    }

    /** A new user with {@code role} and a token for them; returns the token. */
    public String tokenFor(String name, String role) {
        Api.Reply user = api.post("/api/users", ADMIN_TOKEN, "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        if (user.status() != 201) {
            throw new IllegalStateException("cannot create user " + name + ": " + user.body());
        }
        String userId = user.json().get("id").asText();
        Api.Reply token = api.post("/api/tokens", ADMIN_TOKEN, "{\"name\":\"test\",\"user_id\":\"" + userId + "\"}");
        if (token.status() != 201) {
            throw new IllegalStateException("cannot create token for " + name + ": " + token.body());
        }
        return token.json().get("token").asText();
    }

    @Override
    public void close() {
        server.close();
        try (java.util.stream.Stream<Path> files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
