package dev.gantry.server.plugins;

import dev.gantry.plugin.api.analysis.CanaryAnalyzer;
import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.plugin.api.build.Builder;
import dev.gantry.plugin.api.deploy.Deployer;
import dev.gantry.plugin.api.flags.FlagProvider;
import dev.gantry.plugin.api.metrics.MetricsSource;
import dev.gantry.plugin.api.notify.Notifier;
import dev.gantry.plugin.api.scm.ScmProvider;
import java.util.List;

/** The extension points the server calls; an extension must implement at least one. */
final class ExtensionPoints {
    static final List<Class<?>> ALL = List.of(ScmProvider.class, Builder.class, ArtifactStore.class, Deployer.class,
            MetricsSource.class, CanaryAnalyzer.class, FlagProvider.class, Notifier.class);

    private ExtensionPoints() {
    }

    static List<Class<?>> implementedBy(Class<?> extension) {
        return ALL.stream().filter(point -> point.isAssignableFrom(extension)).toList();
    }
}
