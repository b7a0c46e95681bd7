package dev.gantry.plugins.deployer.common;

import dev.gantry.plugin.api.deploy.DeployTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus file-based service discovery: {@code <data dir>/prometheus/<service>-<environment>-<target>.json} lists
 * every instance of the target, one group per version, so a Prometheus with
 * {@code file_sd_configs: [{files: ["<data dir>/prometheus/*.json"]}]} scrapes them labelled by version. Rewritten in
 * one step after each change, so Prometheus never reads half a file.
 */
public final class PrometheusTargets {
    private PrometheusTargets() {
    }

    public static Path file(Path dataDirectory, DeployTarget target) {
        return dataDirectory.resolve("prometheus")
                .resolve(target.service() + "-" + target.environment() + "-" + target.target() + ".json");
    }

    public static void write(Path dataDirectory, TargetDirectory target, List<? extends RoutedInstance> instances) {
        Map<String, List<String>> addresses = new TreeMap<>();
        for (RoutedInstance instance : instances) {
            addresses.computeIfAbsent(instance.version(), version -> new ArrayList<>()).add(instance.address());
        }
        List<Object> groups = new ArrayList<>();
        addresses.forEach((version, targets) -> {
            Map<String, Object> labels = new LinkedHashMap<>();
            labels.put("service", target.target().service());
            labels.put("environment", target.target().environment());
            labels.put("target", target.target().target());
            labels.put("version", version);
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("targets", targets);
            group.put("labels", labels);
            groups.add(group);
        });
        Files2.writeAtomically(file(dataDirectory, target.target()), Json.write(groups) + "\n");
    }
}
