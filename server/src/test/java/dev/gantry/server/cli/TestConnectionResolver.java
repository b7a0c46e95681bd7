package dev.gantry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestConnectionResolver {
    private static final String SECRET = "gty_secret-token-value";

    @TempDir
    Path home;

    private Connection resolve(Map<String, String> environment, String server, String token, Path tokenFile) {
        return new ConnectionResolver(environment, home).resolve(server, token, tokenFile);
    }

    private Path userConfig(String text) throws IOException {
        Path file = home.resolve(".config/gantry/cli.properties");
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    @Test
    void optionsWinOverTheEnvironmentWhichWinsOverTheConfigFile() throws IOException {
        userConfig("server=http://file:8080\ntoken=from-file\n");
        Map<String, String> environment = Map.of("GANTRY_URL", "http://env:8080", "GANTRY_TOKEN", "from-env");

        Connection fromOptions = resolve(environment, "https://option.example/gantry", "from-option", null);
        assertThat(fromOptions.server()).isEqualTo(URI.create("https://option.example/gantry/"));
        assertThat(fromOptions.token()).isEqualTo("from-option");

        Connection fromEnvironment = resolve(environment, null, null, null);
        assertThat(fromEnvironment.server()).isEqualTo(URI.create("http://env:8080/"));
        assertThat(fromEnvironment.token()).isEqualTo("from-env");

        Connection fromFile = resolve(Map.of(), null, null, null);
        assertThat(fromFile.server()).isEqualTo(URI.create("http://file:8080/"));
        assertThat(fromFile.token()).isEqualTo("from-file");
    }

    @Test
    void eachValueComesFromWhereverItIsFirstFound() throws IOException {
        userConfig("server=http://file:8080\n");
        Connection connection = resolve(Map.of("GANTRY_TOKEN", "from-env"), null, null, null);
        assertThat(connection.server()).isEqualTo(URI.create("http://file:8080/"));
        assertThat(connection.token()).isEqualTo("from-env");
    }

    @Test
    void theTokenFileIsReadAndTrimmedAndBeatsTheEnvironment() throws IOException {
        Path file = Files.writeString(home.resolve("token"), "  from-file-option\n");
        Connection connection = resolve(Map.of("GANTRY_TOKEN", "from-env"), "http://localhost:8080", null, file);
        assertThat(connection.token()).isEqualTo("from-file-option");

        assertThatThrownBy(() -> resolve(Map.of(), "http://localhost:8080", "x", file))
                .isInstanceOf(CliException.class).hasMessage("give --token or --token-file, not both")
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThatThrownBy(() -> resolve(Map.of(), "http://localhost:8080", null, home.resolve("missing")))
                .hasMessage("the token file " + home.resolve("missing") + " does not exist");
    }

    @Test
    void gantryConfigNamesAnotherFileWhichMustExist() throws IOException {
        userConfig("server=http://default:8080\ntoken=default\n");
        Path named = Files.writeString(home.resolve("ci.properties"), "# for CI\nserver = http://ci:9000\ntoken = ci-token\n");
        Connection connection = resolve(Map.of("GANTRY_CONFIG", named.toString()), null, null, null);
        assertThat(connection.server()).isEqualTo(URI.create("http://ci:9000/"));
        assertThat(connection.token()).isEqualTo("ci-token");

        Path missing = home.resolve("nope.properties");
        assertThatThrownBy(() -> resolve(Map.of("GANTRY_CONFIG", missing.toString()), null, null, null))
                .isInstanceOf(CliException.class)
                .hasMessage("GANTRY_CONFIG names " + missing + ", which does not exist");
    }

    @Test
    void theConfigFileFollowsHomeAndXdgConfigHome() throws IOException {
        Path otherHome = Files.createDirectories(home.resolve("other"));
        Path xdg = Files.createDirectories(home.resolve("xdg/gantry"));
        Files.writeString(xdg.resolve("cli.properties"), "server=http://xdg:1\ntoken=t\n");
        assertThat(new ConnectionResolver(Map.of("XDG_CONFIG_HOME", home.resolve("xdg").toString()), home).configFile())
                .isEqualTo(xdg.resolve("cli.properties"));
        assertThat(new ConnectionResolver(Map.of("HOME", otherHome.toString()), home).configFile())
                .isEqualTo(otherHome.resolve(".config/gantry/cli.properties"));
        assertThat(resolve(Map.of("XDG_CONFIG_HOME", home.resolve("xdg").toString()), null, null, null).server())
                .isEqualTo(URI.create("http://xdg:1/"));
    }

    @Test
    void nothingConfiguredSaysWhereToConfigureIt() throws IOException {
        Path config = home.resolve(".config/gantry/cli.properties");
        assertThatThrownBy(() -> resolve(Map.of(), null, null, null))
                .isInstanceOf(CliException.class)
                .hasMessage("no Gantry server configured: pass --server URL, set GANTRY_URL, or put server=URL in " + config)
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThatThrownBy(() -> resolve(Map.of(), "http://localhost:8080", null, null))
                .hasMessage("no API token configured: pass --token-file PATH (or --token), set GANTRY_TOKEN, or put token=... in " + config);
    }

    @Test
    void anUnknownKeyInTheConfigFileIsNamed() throws IOException {
        Path file = userConfig("sever=http://typo:8080\n");
        assertThatThrownBy(() -> resolve(Map.of(), null, null, null))
                .isInstanceOf(CliException.class)
                .hasMessage(file + ": unknown key 'sever' (the keys are server and token)");
    }

    @Test
    void aServerThatIsNoHttpUrlIsRefusedNamingWhereItCameFrom() {
        assertThatThrownBy(() -> resolve(Map.of("GANTRY_TOKEN", "t"), "localhost:8080", null, null))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("--server: 'localhost:8080' is not an http:// or https:// URL");
        assertThatThrownBy(() -> resolve(Map.of("GANTRY_URL", "ftp://x", "GANTRY_TOKEN", "t"), null, null, null))
                .hasMessageStartingWith("GANTRY_URL: 'ftp://x' is not an http:// or https:// URL");
        assertThatThrownBy(() -> resolve(Map.of("GANTRY_TOKEN", "t"), "http://x:8080/?a=b", null, null))
                .hasMessageContaining("without ? or #");
    }

    @Test
    void theTokenIsNeverShown() {
        Map<String, String> environment = new HashMap<>();
        environment.put("GANTRY_URL", "http://localhost:8080");
        environment.put("GANTRY_TOKEN", SECRET + " with a space");
        assertThatThrownBy(() -> resolve(environment, null, null, null))
                .isInstanceOf(CliException.class)
                .hasMessage("the API token from GANTRY_TOKEN contains spaces, line breaks or other characters a token never has")
                .hasMessageNotContaining(SECRET);
        Connection connection = resolve(Map.of(), "http://localhost:8080", SECRET, null);
        assertThat(connection.toString()).doesNotContain(SECRET).contains("token=***");
    }
}
