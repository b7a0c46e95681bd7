package dev.gantry.plugins.builder.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginApi;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.build.Builder;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.DefaultVersionManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/** The zip the build attached (target/builder-docker-VERSION.zip), as the server's PF4J host will see it. */
class DockerBuilderZipIT {
    private static final Path ZIP = Path.of(System.getProperty("gantry.plugin.zip", "target/builder-docker-zip-not-built"));

    @Test
    void pluginPropertiesNameThePluginAndAnApiRangeThisServerProvides() throws IOException {
        Properties properties = new Properties();
        try (ZipFile zip = new ZipFile(ZIP.toFile()); InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
            properties.load(in);
        }

        assertThat(properties.getProperty("plugin.id")).isEqualTo("builder-docker");
        assertThat(properties.getProperty("plugin.version")).isEqualTo(PluginApi.VERSION);
        assertThat(properties.getProperty("plugin.description")).startsWith("Runs build steps in Docker containers");
        assertThat(properties.getProperty("plugin.provider")).isEqualTo("Gantry");
        assertThat(new DefaultVersionManager().checkVersionConstraint(PluginApi.VERSION, properties.getProperty("plugin.requires")))
                .as("plugin.requires '%s' accepts plugin API %s", properties.getProperty("plugin.requires"), PluginApi.VERSION)
                .isTrue();
    }

    @Test
    void holdsItsClassesAndDockerJavaButNoCopyOfWhatTheServerProvides() throws IOException {
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

        assertThat(index.lines().filter(line -> !line.startsWith("#"))).containsExactly(DockerBuilder.class.getName());
        assertThat(entries).contains("plugin.properties", "classes/dev/gantry/plugins/builder/docker/DockerBuilder.class");
        assertThat(entries).allSatisfy(entry -> assertThat(entry).matches("plugin\\.properties|classes/.*|lib/.*"));
        List<String> libraries = entries.stream().filter(entry -> entry.startsWith("lib/") && entry.endsWith(".jar")).toList();
        assertThat(libraries).anyMatch(jar -> jar.startsWith("lib/docker-java-core-"))
                .anyMatch(jar -> jar.startsWith("lib/docker-java-api-"))
                .anyMatch(jar -> jar.startsWith("lib/docker-java-transport-httpclient5-"))
                .anyMatch(jar -> jar.startsWith("lib/httpclient5-"));
        assertThat(libraries).noneMatch(jar -> jar.contains("pf4j") || jar.contains("slf4j")
                || jar.contains("gantry-plugin-api") || jar.contains("bcprov"));
    }

    @Test
    void pf4jLoadsItAndItsBuilderRunsAStepInDocker(@TempDir Path pluginsDir, @TempDir Path workspace) throws Exception {
        Files.copy(ZIP, pluginsDir.resolve(ZIP.getFileName()));
        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(PluginApi.VERSION);
        try {
            manager.loadPlugins();
            manager.startPlugins();
            PluginWrapper plugin = manager.getPlugin("builder-docker");
            assertThat(plugin).as("plugin builder-docker loaded from " + ZIP).isNotNull();
            assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);

            List<Class<? extends Builder>> builders = manager.getExtensionClasses(Builder.class, "builder-docker");
            assertThat(builders).extracting(Class::getName).containsExactly(DockerBuilder.class.getName());
            Class<? extends Builder> type = builders.get(0);
            assertThat(type.getClassLoader()).as("loaded from the zip, not the test classpath")
                    .isSameAs(plugin.getPluginClassLoader());

            Builder builder = construct(type, Map.of(
                    PluginConfig.class, new PluginConfig(Map.of()),
                    Clock.class, Clock.systemUTC()));
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            StepResult result = withContextClassLoader(plugin.getPluginClassLoader(), () -> builder.run(
                    new StepSpec("zip", List.of("sh", "-c", "echo hello from the zip"), workspace, Map.of(), List.of(),
                            Duration.ofSeconds(60), false, Optional.of(TestDockerBuilder.IMAGE),
                            StepSpec.ResourceLimits.DEFAULT),
                    lines::add));

            assertThat(builder.kind()).isEqualTo("docker");
            assertThat(result.succeeded()).as("%s %s", result, lines).isTrue();
            assertThat(lines).containsExactly("hello from the zip");
        } finally {
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }

    /** As the server does: the one public constructor, given only context services. */
    private static Builder construct(Class<? extends Builder> type, Map<Class<?>, Object> services) throws Exception {
        Constructor<?>[] constructors = type.getConstructors();
        assertThat(constructors).hasSize(1);
        List<Object> arguments = new ArrayList<>();
        for (Class<?> parameter : constructors[0].getParameterTypes()) {
            assertThat(services).as("constructor parameter %s is a context service", parameter.getName()).containsKey(parameter);
            arguments.add(services.get(parameter));
        }
        return (Builder) constructors[0].newInstance(arguments.toArray());
    }

    /** The server calls extensions with the plugin's class loader as context class loader. */
    private static <T> T withContextClassLoader(ClassLoader loader, StepCall<T> call) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return call.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @FunctionalInterface
    private interface StepCall<T> {
        T run() throws Exception;
    }
}
