package dev.gantry.plugins.scm.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginApi;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.scm.CheckoutRequest;
import dev.gantry.plugin.api.scm.CheckoutResult;
import dev.gantry.plugin.api.scm.PushEvent;
import dev.gantry.plugin.api.scm.ScmProvider;
import dev.gantry.plugin.api.scm.WebhookRequest;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
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

/** The zip the build attached (target/scm-git-VERSION.zip), as the server's PF4J host will see it. */
class ScmGitZipIT {
    private static final Path ZIP = Path.of(System.getProperty("gantry.plugin.zip", "target/scm-git-zip-not-built"));
    private static final List<String> PROVIDERS = List.of(GitHubScmProvider.class.getName(),
            GitLabScmProvider.class.getName(), GiteaScmProvider.class.getName());

    @Test
    void pluginPropertiesNameThePluginAndAnApiRangeThisServerProvides() throws IOException {
        Properties properties = new Properties();
        try (ZipFile zip = new ZipFile(ZIP.toFile()); InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
            properties.load(in);
        }

        assertThat(properties.getProperty("plugin.id")).isEqualTo("scm-git");
        assertThat(properties.getProperty("plugin.version")).isEqualTo(PluginApi.VERSION);
        assertThat(properties.getProperty("plugin.description")).startsWith("Verifies GitHub, GitLab and Gitea");
        assertThat(new DefaultVersionManager().checkVersionConstraint(PluginApi.VERSION, properties.getProperty("plugin.requires")))
                .as("plugin.requires '%s' accepts plugin API %s", properties.getProperty("plugin.requires"), PluginApi.VERSION)
                .isTrue();
    }

    @Test
    void holdsTheThreeProvidersJGitAndJacksonButNothingTheServerProvides() throws IOException {
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

        assertThat(index.lines().filter(line -> !line.startsWith("#"))).containsExactlyInAnyOrderElementsOf(PROVIDERS);
        assertThat(entries).allSatisfy(entry -> assertThat(entry).matches("plugin\\.properties|classes/.*|lib/.*"));
        List<String> libraries = entries.stream().filter(entry -> entry.startsWith("lib/") && entry.endsWith(".jar")).toList();
        assertThat(libraries).anyMatch(jar -> jar.startsWith("lib/org.eclipse.jgit-"))
                .anyMatch(jar -> jar.startsWith("lib/org.eclipse.jgit.ssh.apache-"))
                .anyMatch(jar -> jar.startsWith("lib/sshd-osgi-"))
                .anyMatch(jar -> jar.startsWith("lib/jackson-databind-"))
                .anyMatch(jar -> jar.startsWith("lib/jackson-core-"))
                .noneMatch(jar -> jar.contains("pf4j") || jar.contains("slf4j") || jar.contains("gantry-plugin-api"))
                .noneMatch(jar -> jar.contains("sshd-sftp") || jar.contains("junit") || jar.contains("assertj"));
    }

    @Test
    void pf4jLoadsItsProvidersWhichVerifyAWebhookAndCheckOutACommit(@TempDir Path temp) throws Exception {
        Path pluginsDir = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(ZIP, pluginsDir.resolve(ZIP.getFileName()));
        GitRepositories repositories = GitRepositories.create(temp.resolve("remote"));
        Instant time = Instant.parse("2025-06-01T12:00:00Z");
        String commit = repositories.write(Map.of("bin/start*", "#!/bin/sh\nexec ./server\n")).commit("initial", time);
        repositories.push();

        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(PluginApi.VERSION);
        try {
            manager.loadPlugins();
            manager.startPlugins();
            PluginWrapper plugin = manager.getPlugin("scm-git");
            assertThat(plugin).as("plugin scm-git loaded from " + ZIP).isNotNull();
            assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);

            List<Class<? extends ScmProvider>> types = manager.getExtensionClasses(ScmProvider.class, "scm-git");
            assertThat(types).extracting(Class::getName).containsExactlyInAnyOrderElementsOf(PROVIDERS);
            Map<Class<?>, Object> services = Map.of(PluginConfig.class, new PluginConfig(Map.of("checkout-timeout", "2m")),
                    Workspace.class, new TestWorkspace(temp.resolve("workspace")));
            List<String> names = new ArrayList<>();
            for (Class<? extends ScmProvider> type : types) {
                assertThat(type.getClassLoader()).as("loaded from the zip, not the test classpath")
                        .isSameAs(plugin.getPluginClassLoader());
                ScmProvider provider = construct(type, services);
                names.add(provider.provider());

                CheckoutResult result = provider.checkout(new CheckoutRequest(repositories.bare().toString(), commit,
                        temp.resolve("checkout-" + provider.provider()), Optional.empty()));
                assertThat(result).isEqualTo(new CheckoutResult(commit, time));
                assertThat(Files.isExecutable(temp.resolve("checkout-" + provider.provider()).resolve("bin/start"))).isTrue();
            }
            assertThat(names).containsExactlyInAnyOrder("github", "gitlab", "gitea");

            ScmProvider github = construct(types.stream().filter(type -> type.getName().equals(PROVIDERS.get(0)))
                    .findFirst().orElseThrow(), services);
            byte[] body = Deliveries.payload("github/push.json");
            WebhookRequest delivery = Deliveries.request(body, "X-GitHub-Event", "push", "X-GitHub-Delivery", "d-1",
                    "X-Hub-Signature-256", "sha256=" + Deliveries.hmac("s3cret", body));
            assertThat(github.parseWebhook(delivery, "s3cret")).map(PushEvent::commitSha)
                    .contains("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
        } finally {
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }

    /** As the server does: the one public constructor, given only context services. */
    private static ScmProvider construct(Class<? extends ScmProvider> type, Map<Class<?>, Object> services) throws Exception {
        Constructor<?>[] constructors = type.getConstructors();
        assertThat(constructors).hasSize(1);
        List<Object> arguments = new ArrayList<>();
        for (Class<?> parameter : constructors[0].getParameterTypes()) {
            assertThat(services).as("constructor parameter %s is a context service", parameter.getName()).containsKey(parameter);
            arguments.add(services.get(parameter));
        }
        return (ScmProvider) constructors[0].newInstance(arguments.toArray());
    }
}
