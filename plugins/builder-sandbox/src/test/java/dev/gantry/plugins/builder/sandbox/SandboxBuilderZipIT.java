package dev.gantry.plugins.builder.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginApi;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.build.Builder;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** The zip the build attached (target/builder-sandbox-VERSION.zip), as the server's PF4J host will see it. */
class SandboxBuilderZipIT {
    private static final Path ZIP = Path.of(System.getProperty("gantry.plugin.zip", "target/builder-sandbox-zip-not-built"));

    @Test
    void pluginPropertiesNameThePluginAndAnApiRangeThisServerProvides() throws IOException {
        Properties properties = new Properties();
        try (ZipFile zip = new ZipFile(ZIP.toFile()); InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
            properties.load(in);
        }

        assertThat(properties.getProperty("plugin.id")).isEqualTo("builder-sandbox");
        assertThat(properties.getProperty("plugin.version")).isEqualTo(PluginApi.VERSION);
        assertThat(properties.getProperty("plugin.description")).startsWith("Runs build steps in bubblewrap sandboxes");
        assertThat(properties.getProperty("plugin.provider")).isEqualTo("Gantry");
        assertThat(new DefaultVersionManager().checkVersionConstraint(PluginApi.VERSION, properties.getProperty("plugin.requires")))
                .as("plugin.requires '%s' accepts plugin API %s", properties.getProperty("plugin.requires"), PluginApi.VERSION)
                .isTrue();
    }

    @Test
    void holdsItsClassesWithTheExtensionIndexAndNoLibraries() throws IOException {
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

        assertThat(index.lines().filter(line -> !line.startsWith("#"))).containsExactly(SandboxBuilder.class.getName());
        assertThat(entries).contains("plugin.properties",
                "classes/dev/gantry/plugins/builder/sandbox/SandboxBuilder.class",
                "classes/dev/gantry/plugins/builder/sandbox/SandboxCommand.class");
        assertThat(entries).allSatisfy(entry -> assertThat(entry).matches("plugin\\.properties|classes/.*"));
        assertThat(entries).noneMatch(entry -> entry.contains("Test") || entry.contains("Benchmark"));
    }

    @Test
    void pf4jLoadsItAndItsBuilderRunsAStepInASandbox(@TempDir Path pluginsDir, @TempDir Path pluginWorkspace,
            @TempDir Path workspace) throws Exception {
        Files.copy(ZIP, pluginsDir.resolve(ZIP.getFileName()));
        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(PluginApi.VERSION);
        try {
            manager.loadPlugins();
            manager.startPlugins();
            PluginWrapper plugin = manager.getPlugin("builder-sandbox");
            assertThat(plugin).as("plugin builder-sandbox loaded from " + ZIP).isNotNull();
            assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);

            List<Class<? extends Builder>> builders = manager.getExtensionClasses(Builder.class, "builder-sandbox");
            assertThat(builders).extracting(Class::getName).containsExactly(SandboxBuilder.class.getName());
            Class<? extends Builder> type = builders.get(0);
            assertThat(type.getClassLoader()).as("loaded from the zip, not the test classpath")
                    .isSameAs(plugin.getPluginClassLoader());

            Builder builder = construct(type, Map.of(
                    PluginConfig.class, new PluginConfig(Map.of()),
                    Workspace.class, new TestSandboxBuilder.TestWorkspace(pluginWorkspace)));
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            StepResult result = builder.run(new StepSpec("hello", List.of("sh", "-c", "echo hello from $(hostname)"),
                    workspace, Map.of(), List.of(), Duration.ofMinutes(1), false, Optional.empty(),
                    StepSpec.ResourceLimits.DEFAULT), lines::add);

            assertThat(builder.kind()).isEqualTo("sandbox");
            assertThat(result.succeeded()).isTrue();
            assertThat(lines).containsExactly("hello from sandbox");
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
}
