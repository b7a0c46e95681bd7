package dev.gantry.plugins.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginApi;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.plugin.api.notify.Notifier;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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

/** The zip the build attached (target/notifier-webhook-VERSION.zip), as the server's PF4J host will see it. */
class WebhookNotifierZipIT {
    private static final Path ZIP = Path.of(System.getProperty("gantry.plugin.zip", "target/notifier-webhook-zip-not-built"));

    @Test
    void pluginPropertiesNameThePluginAndAnApiRangeThisServerProvides() throws IOException {
        Properties properties = new Properties();
        try (ZipFile zip = new ZipFile(ZIP.toFile()); InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
            properties.load(in);
        }

        assertThat(properties.getProperty("plugin.id")).isEqualTo("notifier-webhook");
        assertThat(properties.getProperty("plugin.version")).isEqualTo(PluginApi.VERSION);
        assertThat(properties.getProperty("plugin.description")).startsWith("Posts notifications");
        assertThat(properties.getProperty("plugin.provider")).isEqualTo("Gantry");
        assertThat(properties.getProperty("plugin.requires")).contains(">=");
        assertThat(new DefaultVersionManager().checkVersionConstraint(PluginApi.VERSION, properties.getProperty("plugin.requires")))
                .as("plugin.requires '%s' accepts plugin API %s", properties.getProperty("plugin.requires"), PluginApi.VERSION)
                .isTrue();
    }

    @Test
    void holdsClassesWithTheExtensionIndexAndNoCopyOfWhatTheServerProvides() throws IOException {
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

        assertThat(index.lines().filter(line -> !line.startsWith("#"))).containsExactly(WebhookNotifier.class.getName());
        assertThat(entries).contains("plugin.properties", "classes/dev/gantry/plugins/webhook/WebhookNotifier.class");
        assertThat(entries).allSatisfy(entry ->
                assertThat(entry).matches("plugin\\.properties|classes/.*|lib/.*"));
        assertThat(entries).filteredOn(entry -> entry.startsWith("lib/"))
                .noneMatch(entry -> entry.contains("pf4j") || entry.contains("slf4j") || entry.contains("gantry-plugin-api"));
    }

    @Test
    void pf4jLoadsItAndItsNotifierPostsToAWebhook(@TempDir Path pluginsDir) throws Exception {
        Files.copy(ZIP, pluginsDir.resolve(ZIP.getFileName()));
        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(PluginApi.VERSION);
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            manager.loadPlugins();
            manager.startPlugins();
            PluginWrapper plugin = manager.getPlugin("notifier-webhook");
            assertThat(plugin).as("plugin notifier-webhook loaded from " + ZIP).isNotNull();
            assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);

            List<Class<? extends Notifier>> notifiers = manager.getExtensionClasses(Notifier.class, "notifier-webhook");
            assertThat(notifiers).extracting(Class::getName).containsExactly(WebhookNotifier.class.getName());
            Class<? extends Notifier> type = notifiers.get(0);
            assertThat(type.getClassLoader()).as("loaded from the zip, not the test classpath")
                    .isSameAs(plugin.getPluginClassLoader());

            Notifier notifier = construct(type, Map.of(
                    PluginConfig.class, new PluginConfig(Map.of("url", receiver.url().toString())),
                    HttpClient.class, HttpClient.newHttpClient(),
                    Secrets.class, (Secrets) (scope, name) -> Optional.empty()));
            notifier.send(new Notification("test", "Test notification from Gantry", "It works.",
                    "http://localhost:8080/", Map.of("sent_by", "admin"), Instant.now()));

            assertThat(receiver.only().bodyText()).contains("Test notification from Gantry");
        } finally {
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }

    /** As the server does: the one public constructor, given only context services. */
    private static Notifier construct(Class<? extends Notifier> type, Map<Class<?>, Object> services) throws Exception {
        Constructor<?>[] constructors = type.getConstructors();
        assertThat(constructors).hasSize(1);
        List<Object> arguments = new ArrayList<>();
        for (Class<?> parameter : constructors[0].getParameterTypes()) {
            assertThat(services).as("constructor parameter %s is a context service", parameter.getName()).containsKey(parameter);
            arguments.add(services.get(parameter));
        }
        return (Notifier) constructors[0].newInstance(arguments.toArray());
    }
}
