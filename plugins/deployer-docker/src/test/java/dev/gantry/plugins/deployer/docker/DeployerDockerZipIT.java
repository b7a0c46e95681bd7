package dev.gantry.plugins.deployer.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginApi;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.deploy.Deployer;
import dev.gantry.plugin.api.metrics.MetricsSource;
import java.io.IOException;
import java.io.InputStream;
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

/** The zip the build attached (target/deployer-docker-VERSION.zip), as the server's PF4J host will see it. */
class DeployerDockerZipIT {
    private static final Path ZIP = Path.of(System.getProperty("gantry.plugin.zip", "target/deployer-docker-zip-not-built"));

    @Test
    void holdsBothExtensionsTheCommonJarAndNoCopyOfWhatTheServerProvides() throws IOException {
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

        assertThat(properties.getProperty("plugin.id")).isEqualTo("deployer-docker");
        assertThat(index.lines().filter(line -> !line.startsWith("#")))
                .containsExactlyInAnyOrder(DockerDeployer.class.getName(), RouterMetricsSource.class.getName());
        assertThat(entries).anyMatch(entry -> entry.matches("lib/deployer-common-.*\\.jar"))
                .anyMatch(entry -> entry.matches("lib/docker-java-core-.*\\.jar"))
                .anyMatch(entry -> entry.matches("lib/commons-compress-.*\\.jar"));
        assertThat(entries).filteredOn(entry -> entry.startsWith("lib/"))
                .noneMatch(entry -> entry.contains("pf4j") || entry.contains("slf4j") || entry.contains("gantry-")
                        || entry.contains("jetty") || entry.contains("bcprov"));
    }

    @Test
    void pf4jLoadsBothExtensionsFromTheZip(@TempDir Path pluginsDir, @TempDir Path dataDirectory) throws Exception {
        Files.copy(ZIP, pluginsDir.resolve(ZIP.getFileName()));
        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(PluginApi.VERSION);
        try {
            manager.loadPlugins();
            manager.startPlugins();
            PluginWrapper plugin = manager.getPlugin("deployer-docker");
            assertThat(plugin).isNotNull();
            assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);
            PluginContext context = new Harness.TestContext(dataDirectory, new PluginConfig(Map.of()));

            List<Class<? extends Deployer>> deployers = manager.getExtensionClasses(Deployer.class, "deployer-docker");
            assertThat(deployers).hasSize(1);
            assertThat(deployers.get(0).getClassLoader()).isSameAs(plugin.getPluginClassLoader());
            // building it opens no connection to the engine
            Deployer deployer = deployers.get(0).getConstructor(PluginContext.class).newInstance(context);
            assertThat(deployer.kind()).isEqualTo("docker");

            List<Class<? extends MetricsSource>> sources = manager.getExtensionClasses(MetricsSource.class, "deployer-docker");
            assertThat(sources).hasSize(1);
            assertThat(sources.get(0).getConstructor(PluginContext.class).newInstance(context).kind()).isEqualTo("router");
        } finally {
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }
}
