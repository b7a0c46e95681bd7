package dev.gantry.plugins.deployer.process;

import dev.gantry.plugins.deployer.common.Files2;
import dev.gantry.plugins.deployer.common.Json;
import dev.gantry.plugins.deployer.common.Processes;
import dev.gantry.plugins.deployer.common.RoutedInstance;
import dev.gantry.plugins.deployer.common.TargetDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One started instance, as {@code instances/<version>/<index>.json} remembers it: enough to find the process again
 * after a server restart (pid and start time), to reach it (port) and to check it (health path).
 */
record InstanceRecord(String version, int index, long pid, int port, Instant startedAt, long startTicks,
                      String artifactDigest, String healthPath) implements RoutedInstance {
    private static final Logger log = LoggerFactory.getLogger(InstanceRecord.class);

    /** How the API names the instance: the version and its index, e.g. {@code 1.4.2-0}. */
    @Override
    public String instanceId() {
        return version + "-" + index;
    }

    @Override
    public String address() {
        return "127.0.0.1:" + port;
    }

    Processes.Identity identity() {
        return new Processes.Identity(pid, startedAt, startTicks);
    }

    /** {@code instances/} of the target's directory. */
    static Path instancesDir(TargetDirectory target) {
        return target.root().resolve("instances");
    }

    static Path versionDir(TargetDirectory target, String version) {
        return instancesDir(target).resolve(TargetDirectory.name("version", version));
    }

    static Path file(TargetDirectory target, String version, int index) {
        return versionDir(target, version).resolve(index + ".json");
    }

    static Path logFile(TargetDirectory target, String version, int index) {
        return versionDir(target, version).resolve(index + ".log");
    }

    void write(TargetDirectory target) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", version);
        json.put("index", index);
        json.put("pid", pid);
        json.put("port", port);
        json.put("started_at", startedAt.toString());
        json.put("start_ticks", startTicks);
        json.put("artifact_digest", artifactDigest);
        json.put("health_path", healthPath);
        Files2.writeAtomically(file(target, version, index), Json.write(json) + "\n");
    }

    void delete(TargetDirectory target) throws IOException {
        Files.deleteIfExists(file(target, version, index));
    }

    /** The records of one version, by index. */
    static List<InstanceRecord> read(TargetDirectory target, String version) {
        Path dir = versionDir(target, version);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<InstanceRecord> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d+\\.json")).toList()) {
                try {
                    records.add(parse(Files.readString(file, StandardCharsets.UTF_8)));
                } catch (IOException | IllegalArgumentException | java.time.DateTimeException e) {
                    // a record that cannot be read names no process we could stop; the instance is started anew
                    log.warn("ignoring the unreadable instance record {}: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir, e);
        }
        records.sort(Comparator.comparingInt(InstanceRecord::index));
        return records;
    }

    /** The records of every version on the target, by version and index. */
    static List<InstanceRecord> readAll(TargetDirectory target) {
        Path instancesDir = instancesDir(target);
        if (!Files.isDirectory(instancesDir)) {
            return List.of();
        }
        List<InstanceRecord> records = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(instancesDir)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                String version = dir.getFileName().toString();
                try {
                    TargetDirectory.name("version", version);
                } catch (IllegalArgumentException notOurs) {
                    continue;
                }
                records.addAll(read(target, version));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + instancesDir, e);
        }
        return records;
    }

    private static InstanceRecord parse(String text) {
        Map<String, Object> json = Json.parseObject(text);
        return new InstanceRecord(Json.string(json, "version"), (int) Json.number(json, "index"),
                Json.number(json, "pid"), (int) Json.number(json, "port"), Instant.parse(Json.string(json, "started_at")),
                json.containsKey("start_ticks") ? Json.number(json, "start_ticks") : -1,
                Json.string(json, "artifact_digest"), Json.string(json, "health_path"));
    }
}
