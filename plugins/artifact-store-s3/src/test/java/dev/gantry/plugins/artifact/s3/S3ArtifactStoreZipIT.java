package dev.gantry.plugins.artifact.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginApi;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.plugin.api.artifact.PutResult;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.DefaultVersionManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/** The zip the build attached (target/artifact-store-s3-VERSION.zip), as the server's PF4J host will see it. */
@Timeout(60)
class S3ArtifactStoreZipIT {
    private static final Path ZIP = Path.of(System.getProperty("gantry.plugin.zip", "target/artifact-store-s3-zip-not-built"));

    @Test
    void pluginPropertiesNameThePluginAndAnApiRangeThisServerProvides() throws IOException {
        Properties properties = new Properties();
        try (ZipFile zip = new ZipFile(ZIP.toFile()); InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
            properties.load(in);
        }

        assertThat(properties.getProperty("plugin.id")).isEqualTo("artifact-store-s3");
        assertThat(properties.getProperty("plugin.version")).isEqualTo(PluginApi.VERSION);
        assertThat(properties.getProperty("plugin.description")).startsWith("Stores artifacts in any S3-compatible bucket");
        assertThat(properties.getProperty("plugin.provider")).isEqualTo("Gantry");
        assertThat(new DefaultVersionManager().checkVersionConstraint(PluginApi.VERSION, properties.getProperty("plugin.requires")))
                .as("plugin.requires '%s' accepts plugin API %s", properties.getProperty("plugin.requires"), PluginApi.VERSION)
                .isTrue();
    }

    @Test
    void holdsTheExtensionIndexAndTheSdkButNoCopyOfWhatTheServerProvides() throws IOException {
        List<String> entries;
        String index;
        try (ZipFile zip = new ZipFile(ZIP.toFile())) {
            entries = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
            ZipEntry indexEntry = zip.getEntry("classes/META-INF/extensions.idx");
            assertThat(indexEntry).as("classes/META-INF/extensions.idx").isNotNull();
            try (InputStream in = zip.getInputStream(indexEntry)) {
                index = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        assertThat(index.lines().filter(line -> !line.startsWith("#"))).containsExactly(S3ArtifactStore.class.getName());
        assertThat(entries).contains("plugin.properties",
                "classes/dev/gantry/plugins/artifact/s3/S3ArtifactStore.class");
        assertThat(entries).allSatisfy(entry -> assertThat(entry).matches("plugin\\.properties|classes/.*|lib/.*"));
        List<String> libraries = entries.stream().filter(entry -> entry.startsWith("lib/") && entry.endsWith(".jar")).toList();
        assertThat(libraries).anyMatch(entry -> entry.matches("lib/s3-2\\..*\\.jar"))
                .anyMatch(entry -> entry.startsWith("lib/url-connection-client-"));
        assertThat(libraries).noneMatch(entry -> entry.contains("pf4j") || entry.contains("slf4j")
                || entry.contains("gantry-plugin-api") || entry.contains("netty") || entry.contains("apache5-client")
                || entry.contains("s3proxy"));
    }

    @Test
    void pf4jLoadsItAndItsStoreKeepsArtifactsInABucket(@TempDir Path pluginsDir) throws Exception {
        Files.copy(ZIP, pluginsDir.resolve(ZIP.getFileName()));
        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(PluginApi.VERSION);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (S3ProxyServer server = new S3ProxyServer()) {
            server.createBucket("gantry-zip-it");
            manager.loadPlugins();
            manager.startPlugins();
            PluginWrapper plugin = manager.getPlugin("artifact-store-s3");
            assertThat(plugin).as("plugin artifact-store-s3 loaded from " + ZIP).isNotNull();
            assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);

            List<Class<? extends ArtifactStore>> stores = manager.getExtensionClasses(ArtifactStore.class, "artifact-store-s3");
            assertThat(stores).extracting(Class::getName).containsExactly(S3ArtifactStore.class.getName());
            Class<? extends ArtifactStore> type = stores.get(0);
            assertThat(type.getClassLoader()).as("loaded from the zip, not the test classpath")
                    .isSameAs(plugin.getPluginClassLoader());

            ArtifactStore store = construct(type, Map.of(
                    PluginConfig.class, server.config("gantry-zip-it", Map.of()),
                    Secrets.class, S3ProxyServer.secrets()));
            // as the server's extension proxy runs every call
            Thread.currentThread().setContextClassLoader(plugin.getPluginClassLoader());
            byte[] bytes = HostUpload.randomBytes(50_000, 1);
            String digest = HostUpload.digest(bytes);
            PutResult result = store.put(digest, HostUpload.of(bytes), bytes.length);
            byte[] read;
            try (InputStream in = store.open(digest)) {
                read = in.readAllBytes();
            }
            ((AutoCloseable) store).close();

            assertThat(store.kind()).isEqualTo("s3");
            assertThat(result.created()).isTrue();
            assertThat(read).isEqualTo(bytes);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }

    /** As the server does: the one public constructor, given only context services. */
    private static ArtifactStore construct(Class<? extends ArtifactStore> type, Map<Class<?>, Object> services)
            throws Exception {
        Constructor<?>[] constructors = type.getConstructors();
        assertThat(constructors).hasSize(1);
        List<Object> arguments = new ArrayList<>();
        for (Class<?> parameter : constructors[0].getParameterTypes()) {
            assertThat(services).as("constructor parameter %s is a context service", parameter.getName()).containsKey(parameter);
            arguments.add(services.get(parameter));
        }
        return (ArtifactStore) constructors[0].newInstance(arguments.toArray());
    }
}
