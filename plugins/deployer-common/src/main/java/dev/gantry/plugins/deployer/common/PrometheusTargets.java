package dev.gantry.plugins.deployer.common;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.deploy.DeployTarget;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prometheus file-based service discovery: one file per target,
 * {@code <directory>/<service>+<environment>+<target>.json} ('+' occurs in none of the names, so two targets never
 * share a file), lists every running instance of the target as
 * a group of its own, labelled {@code service}, {@code environment}, {@code target}, {@code version} and
 * {@code instance_id}, so a Prometheus with {@code file_sd_configs: [{files: ["<directory>/*.json"]}]} scrapes them
 * and queries can select a version. The file is rewritten in one step (temporary file, then rename) after each change,
 * so Prometheus never reads half of one; a target without instances gets an empty list rather than a stale one.
 */
public final class PrometheusTargets {
    /** The deployers' setting that moves the directory; a relative path is taken from the plugin's data directory. */
    public static final String SETTING = "prometheus-targets-dir";
    public static final String DEFAULT_DIRECTORY = "prometheus-targets";

    private final Path directory;

    public PrometheusTargets(Path directory) {
        this.directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
    }

    /** The directory the setting names, or {@code <data directory>/prometheus-targets}. */
    public static PrometheusTargets in(Path dataDirectory, Optional<Path> setting) {
        return new PrometheusTargets(dataDirectory.resolve(setting.orElse(Path.of(DEFAULT_DIRECTORY))));
    }

    /** The setting's value as a path; {@code prefix} is the plugin's settings prefix, for the message. */
    public static Path parseSetting(String text, String prefix) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(prefix + SETTING + " is not a usable path: " + e.getReason());
        }
    }

    public Path directory() {
        return directory;
    }

    public Path file(DeployTarget target) {
        return directory.resolve(TargetDirectory.name("service", target.service()) + "+"
                + TargetDirectory.name("environment", target.environment()) + "+"
                + TargetDirectory.name("target", target.target()) + ".json");
    }

    /** Replaces the target's file by one listing {@code running}: the instances whose processes run now. */
    public void write(DeployTarget target, List<? extends RoutedInstance> running) {
        Files2.writeAtomically(file(target), json(target, running));
    }

    /** The file's content: one group per instance, by version and instance id, one group a line. */
    static String json(DeployTarget target, List<? extends RoutedInstance> running) {
        List<RoutedInstance> sorted = new ArrayList<>(running);
        sorted.sort(Comparator.comparing(RoutedInstance::version).thenComparing(RoutedInstance::instanceId));
        StringBuilder out = new StringBuilder("[");
        for (RoutedInstance instance : sorted) {
            Map<String, Object> labels = new LinkedHashMap<>();
            labels.put("service", target.service());
            labels.put("environment", target.environment());
            labels.put("target", target.target());
            labels.put("version", instance.version());
            labels.put("instance_id", instance.instanceId());
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("targets", List.of(instance.address()));
            group.put("labels", labels);
            out.append(out.length() == 1 ? "\n  " : ",\n  ").append(Json.write(group));
        }
        return out.append(sorted.isEmpty() ? "]\n" : "\n]\n").toString();
    }
}
