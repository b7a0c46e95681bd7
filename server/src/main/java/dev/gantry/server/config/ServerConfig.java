package dev.gantry.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the server listens and keeps its files. {@code home} is the installation (bin/, lib/, plugins/, conf/);
 * {@code dataDir} holds the embedded database, caches and the generated master key.
 */
public record ServerConfig(
        Path home,
        Path dataDir,
        Path bundledPluginsDir,
        String host,
        int port,
        Optional<String> publicUrl,
        Optional<Tls> tls,
        Optional<String> bootstrapToken,
        Optional<String> masterKey,
        Map<String, Map<String, String>> pluginSettings) {

    /** TLS from a keystore (PKCS12 or JKS). */
    public record Tls(Path keystorePath, String keystorePassword, String keystoreType) {
        @Override
        public String toString() {
            return "Tls[keystorePath=" + keystorePath + ", keystoreType=" + keystoreType + "]";
        }
    }

    public static ServerConfig from(Settings settings, Path home) {
        Path dataDir = settings.optionalPath("data.dir").orElse(home.resolve("data")).toAbsolutePath();
        Path pluginsDir = settings.optionalPath("plugins.dir").orElse(home.resolve("plugins")).toAbsolutePath();
        String host = settings.string("http.host", "0.0.0.0");
        int port = settings.integer("http.port", 8080, 0, 65535);
        Optional<String> publicUrl = settings.optionalString("http.public-url");

        Optional<Tls> tls = Optional.empty();
        if (settings.bool("tls.enabled", false)) {
            Path keystore = Path.of(settings.required("tls.keystore.path"));
            String password = settings.required("tls.keystore.password");
            String type = settings.string("tls.keystore.type", "PKCS12");
            if (!keystore.toString().isEmpty() && !Files.isReadable(keystore)) {
                settings.problem("tls.keystore.path", "cannot read " + keystore.toAbsolutePath());
            }
            tls = Optional.of(new Tls(keystore, password, type));
        } else {
            // read so that setting them without tls.enabled is not reported as unknown
            settings.optionalString("tls.keystore.path");
            settings.optionalString("tls.keystore.password");
            settings.optionalString("tls.keystore.type");
        }
        Optional<String> bootstrapToken = settings.optionalString("bootstrap.token");
        bootstrapToken.filter(token -> token.length() < 20 || !token.startsWith("gty_"))
                .ifPresent(token -> settings.problem("bootstrap.token", "must start with gty_ and be at least 20 characters long"));
        Optional<String> masterKey = settings.optionalString("master.key");
        masterKey.filter(key -> !dev.gantry.server.secrets.MasterKey.isValid(key))
                .ifPresent(key -> settings.problem("master.key", "must be 32 random bytes in base64 (e.g. openssl rand -base64 32)"));
        return new ServerConfig(home, dataDir, pluginsDir, host, port, publicUrl, tls, bootstrapToken, masterKey,
                settings.pluginSettings());
    }

    @Override
    public String toString() {
        // bootstrap token and master key are secrets: never printed
        return "ServerConfig[home=" + home + ", dataDir=" + dataDir + ", host=" + host + ", port=" + port + ", tls=" + tls + "]";
    }
}
