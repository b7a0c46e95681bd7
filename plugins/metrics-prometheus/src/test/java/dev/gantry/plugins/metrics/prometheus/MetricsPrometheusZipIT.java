package dev.gantry.plugins.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginApi;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.metrics.MetricsSource;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/** The zip the build attached (target/metrics-prometheus-VERSION.zip), as the server's PF4J host will see it. */
class MetricsPrometheusZipIT {
    private static final Path ZIP = Path.of(System.getProperty("gantry.plugin.zip",
            "target/metrics-prometheus-zip-not-built"));

    @Test
    void holdsTheSourceAndNoLibraries() throws IOException {
        Properties properties = new Properties();
        List<String> entries;
        String index;
        try (ZipFile zip = new ZipFile(ZIP.toFile())) {
            try (InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
                properties.load(in);
            }
            entries = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
            try (InputStream in = zip.getInputStream(zip.getEntry("classes/META-INF/extensions.idx"))) {
                index = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        assertThat(properties.getProperty("plugin.id")).isEqualTo("metrics-prometheus");
        assertThat(index.lines().filter(line -> !line.startsWith("#")))
                .containsExactly(PrometheusMetricsSource.class.getName());
        assertThat(entries).noneMatch(entry -> entry.startsWith("lib/"));
    }

    @Test
    void pf4jLoadsTheSourceFromTheZip(@TempDir Path pluginsDir) throws Exception {
        Files.copy(ZIP, pluginsDir.resolve(ZIP.getFileName()));
        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(PluginApi.VERSION);
        try {
            manager.loadPlugins();
            manager.startPlugins();
            PluginWrapper plugin = manager.getPlugin("metrics-prometheus");
            assertThat(plugin).as("plugin metrics-prometheus loaded from " + ZIP).isNotNull();
            assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);

            List<Class<? extends MetricsSource>> sources = manager.getExtensionClasses(MetricsSource.class,
                    "metrics-prometheus");
            assertThat(sources).hasSize(1);
            assertThat(sources.get(0).getClassLoader()).isSameAs(plugin.getPluginClassLoader());
            // as the server builds it: the one public constructor, given context services; unconfigured is allowed
            Constructor<?>[] constructors = sources.get(0).getConstructors();
            assertThat(constructors).hasSize(1);
            assertThat(constructors[0].getParameterTypes()).containsExactly(PluginConfig.class, HttpClient.class);
            MetricsSource source = (MetricsSource) constructors[0].newInstance(new PluginConfig(Map.of()),
                    HttpClient.newHttpClient());
            assertThat(source.kind()).isEqualTo("prometheus");
            assertThat(source.sampleKind()).isEqualTo(SampleKind.PER_INTERVAL);
        } finally {
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }
}
