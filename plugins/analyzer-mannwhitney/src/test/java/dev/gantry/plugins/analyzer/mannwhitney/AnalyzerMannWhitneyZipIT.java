package dev.gantry.plugins.analyzer.mannwhitney;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginApi;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.analysis.AnalysisRequest;
import dev.gantry.plugin.api.analysis.AnalysisResult;
import dev.gantry.plugin.api.analysis.AnalysisResult.Verdict;
import dev.gantry.plugin.api.analysis.CanaryAnalyzer;
import dev.gantry.plugin.api.analysis.MetricComparison;
import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import dev.gantry.plugin.api.analysis.MetricComparison.Kind;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
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

/** The zip the build attached (target/analyzer-mannwhitney-VERSION.zip), as the server's PF4J host will see it. */
class AnalyzerMannWhitneyZipIT {
    private static final Path ZIP =
            Path.of(System.getProperty("gantry.plugin.zip", "target/analyzer-mannwhitney-zip-not-built"));

    @Test
    void holdsTheAnalyzerAndCommonsMathButNothingTheServerProvidesNorTheBenchmarks() throws IOException {
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

        assertThat(properties.getProperty("plugin.id")).isEqualTo("analyzer-mannwhitney");
        assertThat(index.lines().filter(line -> !line.startsWith("#"))).containsExactly(MannWhitneyAnalyzer.class.getName());
        assertThat(entries).contains("lib/commons-math3-3.6.1.jar");
        assertThat(entries).filteredOn(entry -> entry.startsWith("lib/"))
                .noneMatch(entry -> entry.contains("pf4j") || entry.contains("slf4j") || entry.contains("gantry-")
                        || entry.contains("jmh"));
        assertThat(entries).noneMatch(entry -> entry.contains("Benchmark") || entry.contains("Simulation"));
    }

    @Test
    void pf4jLoadsTheAnalyzerWhichJudgesALookWithItsBundledLibrary(@TempDir Path pluginsDir) throws Exception {
        Files.copy(ZIP, pluginsDir.resolve(ZIP.getFileName()));
        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(PluginApi.VERSION);
        try {
            manager.loadPlugins();
            manager.startPlugins();
            PluginWrapper plugin = manager.getPlugin("analyzer-mannwhitney");
            assertThat(plugin).isNotNull();
            assertThat(plugin.getPluginState()).isEqualTo(PluginState.STARTED);

            List<Class<? extends CanaryAnalyzer>> analyzers = manager.getExtensionClasses(CanaryAnalyzer.class,
                    "analyzer-mannwhitney");
            assertThat(analyzers).hasSize(1);
            assertThat(analyzers.get(0).getClassLoader()).isSameAs(plugin.getPluginClassLoader());
            CanaryAnalyzer analyzer = analyzers.get(0).getConstructor(PluginContext.class).newInstance(context());
            assertThat(analyzer.kind()).isEqualTo("mann-whitney");

            double[] baseline = new double[200];
            double[] canary = new double[200];
            for (int i = 0; i < 200; i++) {
                baseline[i] = 20 + i * 0.1;
                canary[i] = 2 * baseline[i];
            }
            AnalysisResult result = analyzer.analyze(new AnalysisRequest(List.of(new MetricComparison("latency_ms",
                    Kind.CONTINUOUS, SampleKind.PER_REQUEST, baseline, canary, Direction.INCREASE_IS_BAD, 0.1, false)),
                    0.0025, 0, 1, true));
            assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(result.metrics().get(0).explanation()).endsWith("slower than the allowed +10%");
        } finally {
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }

    private static PluginContext context() {
        PluginConfig config = new PluginConfig(Map.of());
        return (PluginContext) Proxy.newProxyInstance(PluginContext.class.getClassLoader(),
                new Class<?>[] {PluginContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("config")) {
                        return config;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
