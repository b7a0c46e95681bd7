package dev.gantry.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds real plugin zips for tests: Java sources compiled against the plugin API with the JDK's compiler, laid
 * out as the host expects (plugin.properties, classes/ with META-INF/extensions.idx).
 */
public final class TestPlugins {
    private final String id;
    private String version = "1.0.0";
    private String requires = ">=0.1.0";
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<String> extensions = new ArrayList<>();
    private final Map<String, String> resources = new LinkedHashMap<>();

    private TestPlugins(String id) {
        this.id = id;
    }

    public static TestPlugins plugin(String id) {
        return new TestPlugins(id);
    }

    public TestPlugins version(String version) {
        this.version = version;
        return this;
    }

    public TestPlugins requires(String requires) {
        this.requires = requires;
        return this;
    }

    /** An extension class: {@code className} fully qualified, {@code source} its whole compilation unit. */
    public TestPlugins extension(String className, String source) {
        sources.put(className, source);
        extensions.add(className);
        return this;
    }

    /** A class that is not an extension (a helper of the plugin's). */
    public TestPlugins source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    /**
     * A plugin of this checkout ({@code plugins/<id>}) built from its sources and resources as its module's zip holds
     * them, so server tests run the real plugin without depending on the plugins' build. Classes annotated
     * {@code @Extension} are its extensions.
     */
    public static TestPlugins fromModule(String id) {
        Path module = Path.of(System.getProperty("gantry.repository.root", ".."), "plugins", id, "src", "main");
        TestPlugins plugin = plugin(id);
        try {
            Path java = module.resolve("java");
            try (Stream<Path> files = Files.walk(java)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    String relative = java.relativize(file).toString();
                    String className = relative.substring(0, relative.length() - ".java".length()).replace('/', '.');
                    String source = Files.readString(file);
                    if (source.lines().anyMatch(line -> line.trim().equals("@Extension"))) {
                        plugin.extension(className, source);
                    } else {
                        plugin.source(className, source);
                    }
                }
            }
            Path resources = module.resolve("resources");
            if (Files.isDirectory(resources)) {
                try (Stream<Path> files = Files.walk(resources)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        plugin.resource(resources.relativize(file).toString().replace('\\', '/'), Files.readString(file));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sources of plugin " + id + " under " + module, e);
        }
        return plugin;
    }

    public TestPlugins resource(String path, String content) {
        resources.put(path, content);
        return this;
    }

    public byte[] zip() {
        try {
            Path work = Files.createTempDirectory("test-plugin-");
            Path src = work.resolve("src");
            Path classes = work.resolve("classes");
            Files.createDirectories(classes);
            List<String> files = new ArrayList<>();
            for (Map.Entry<String, String> source : sources.entrySet()) {
                Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
                files.add(file.toString());
            }
            if (!files.isEmpty()) {
                JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
                List<String> arguments = new ArrayList<>(List.of("-proc:none", "--release", "17", "-d", classes.toString(),
                        "-cp", System.getProperty("java.class.path")));
                arguments.addAll(files);
                ByteArrayOutputStream errors = new ByteArrayOutputStream();
                if (compiler.run(null, null, errors, arguments.toArray(String[]::new)) != 0) {
                    throw new IllegalStateException("test plugin " + id + " does not compile:\n" + errors);
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                put(zip, "plugin.properties", "plugin.id=" + id + "\nplugin.version=" + version + "\nplugin.requires="
                        + requires + "\nplugin.class=org.pf4j.Plugin\nplugin.provider=Gantry tests\n");
                put(zip, "classes/META-INF/extensions.idx", String.join("\n", extensions) + "\n");
                for (Map.Entry<String, String> resource : resources.entrySet()) {
                    put(zip, "classes/" + resource.getKey(), resource.getValue());
                }
                try (Stream<Path> compiled = Files.walk(classes)) {
                    for (Path file : compiled.filter(Files::isRegularFile).toList()) {
                        zip.putNextEntry(new ZipEntry("classes/" + classes.relativize(file)));
                        zip.write(Files.readAllBytes(file));
                        zip.closeEntry();
                    }
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void put(ZipOutputStream zip, String name, String content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    /** A Notifier that records each notification's title in a system property, so a test can see it was called. */
    public static TestPlugins recordingNotifier(String id) {
        String pkg = "test." + id.replace('-', '_');
        return plugin(id).extension(pkg + ".RecordingNotifier", """
                package %s;

                import dev.gantry.plugin.api.PluginConfig;
                import dev.gantry.plugin.api.notify.Notification;
                import dev.gantry.plugin.api.notify.Notifier;

                public class RecordingNotifier implements Notifier {
                    private final String label;

                    public RecordingNotifier(PluginConfig config) {
                        this.label = config.get("label").orElse("%s");
                    }

                    @Override
                    public void send(Notification notification) {
                        System.setProperty("gantry.test.notified." + label, notification.title() + " | "
                                + Thread.currentThread().getContextClassLoader().getClass().getSimpleName());
                    }
                }
                """.formatted(pkg, id));
    }

    /** A Notifier that always throws, as a buggy plugin would. */
    public static TestPlugins crashingNotifier(String id) {
        String pkg = "test." + id.replace('-', '_');
        return plugin(id).extension(pkg + ".CrashingNotifier", """
                package %s;

                import dev.gantry.plugin.api.notify.Notification;
                import dev.gantry.plugin.api.notify.Notifier;

                public class CrashingNotifier implements Notifier {
                    public CrashingNotifier() {
                    }

                    @Override
                    public void send(Notification notification) {
                        Object nothing = null;
                        nothing.toString();
                    }
                }
                """.formatted(pkg));
    }
}
