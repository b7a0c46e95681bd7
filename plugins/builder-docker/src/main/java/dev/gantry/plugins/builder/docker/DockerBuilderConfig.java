package dev.gantry.plugins.builder.docker;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The builder's settings ({@code plugin.builder-docker.*}).
 *
 * @param host where the Docker Engine API listens: {@code unix:///path/to/docker.sock} or {@code tcp://host:port}
 */
record DockerBuilderConfig(URI host) {
    static final String PREFIX = "plugin.builder-docker.";
    static final String HOST = "host";
    static final URI DEFAULT_HOST = URI.create("unix:///var/run/docker.sock");
    private static final Set<String> KEYS = Set.of(HOST);

    DockerBuilderConfig {
        requireNonNull(host, "host is null");
    }

    /** Reads the settings; an unknown key or a malformed host is refused, so a typo stops the plugin instead of being ignored. */
    static DockerBuilderConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting(s) " + unknown.stream().map(key -> PREFIX + key).toList()
                    + "; the Docker builder knows only " + PREFIX + HOST);
        }
        return new DockerBuilderConfig(config.get(HOST).map(String::strip).map(DockerBuilderConfig::parseHost)
                .orElse(DEFAULT_HOST));
    }

    private static URI parseHost(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw malformedHost(value);
        }
        boolean unix = "unix".equals(uri.getScheme()) && uri.getPath() != null && uri.getPath().startsWith("/");
        boolean tcp = "tcp".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0;
        if (!unix && !tcp) {
            throw malformedHost(value);
        }
        return uri;
    }

    private static IllegalArgumentException malformedHost(String value) {
        return new IllegalArgumentException(PREFIX + HOST + " must be unix:///path/to/docker.sock or tcp://host:port, not '"
                + value + "'");
    }
}
