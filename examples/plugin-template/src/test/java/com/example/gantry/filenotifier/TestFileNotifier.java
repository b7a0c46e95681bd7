package com.example.gantry.filenotifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.notify.Notification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestFileNotifier {
    private static final Notification BUILD_FAILED = new Notification("build.failed", "Build #7 failed",
            "Step \"test\" failed:\nexpected é", "http://localhost:8080/builds/7",
            Map.of("repository", "acme/shop", "branch", "main"), Instant.parse("2025-03-01T12:00:00Z"));

    @TempDir
    Path workspaceRoot;

    @Test
    void appendsOneJsonLinePerNotificationToNotificationsJsonlInTheWorkspace() throws IOException {
        FileNotifier notifier = new FileNotifier(new PluginConfig(Map.of()), workspace());

        notifier.send(BUILD_FAILED);
        notifier.send(BUILD_FAILED);

        List<String> lines = Files.readAllLines(workspaceRoot.resolve("notifications.jsonl"), StandardCharsets.UTF_8);
        assertEquals(2, lines.size());
        assertEquals("{\"event\":\"build.failed\",\"title\":\"Build #7 failed\","
                + "\"text\":\"Step \\\"test\\\" failed:\\nexpected é\",\"link\":\"http://localhost:8080/builds/7\","
                + "\"fields\":{\"branch\":\"main\",\"repository\":\"acme/shop\"},"
                + "\"occurred_at\":\"2025-03-01T12:00:00Z\"}", lines.get(0));
        assertEquals(lines.get(0), lines.get(1));
    }

    @Test
    void writesWhereTheFileSettingSaysRelativeToTheWorkspace() {
        FileNotifier notifier = new FileNotifier(new PluginConfig(Map.of("file", "out/events.jsonl")), workspace());

        notifier.send(BUILD_FAILED);

        assertTrue(Files.exists(workspaceRoot.resolve("out/events.jsonl")));
    }

    @Test
    void acceptsAnAbsolutePath(@TempDir Path elsewhere) {
        Path file = elsewhere.resolve("all.jsonl");
        new FileNotifier(new PluginConfig(Map.of("file", file.toString())), workspace()).send(BUILD_FAILED);

        assertTrue(Files.exists(file));
    }

    @Test
    void reportsAFileItCannotWrite() throws IOException {
        Files.createDirectories(workspaceRoot.resolve("taken.jsonl"));
        FileNotifier notifier = new FileNotifier(new PluginConfig(Map.of("file", "taken.jsonl")), workspace());

        ExtensionFailedException failure = assertThrows(ExtensionFailedException.class, () -> notifier.send(BUILD_FAILED));
        assertTrue(failure.getMessage().startsWith("cannot append to " + workspaceRoot.resolve("taken.jsonl")),
                failure.getMessage());
    }

    private Workspace workspace() {
        return new Workspace() {
            @Override
            public Path root() {
                return workspaceRoot;
            }

            @Override
            public Path newTempDirectory(String prefix) throws IOException {
                return Files.createTempDirectory(workspaceRoot, prefix);
            }
        };
    }
}
