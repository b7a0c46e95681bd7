package com.example.gantry.filenotifier;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.plugin.api.notify.Notifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.pf4j.Extension;

/**
 * Appends every notification to a file as one line of JSON (JSON Lines), so you can watch it with
 * {@code tail -f}. The file is {@code plugin.file-notifier.file} (relative to the plugin's workspace, or absolute);
 * by default {@code notifications.jsonl} in the workspace.
 *
 * <p>{@code @Extension} puts this class in META-INF/extensions.idx; Gantry builds it once, through its one public
 * constructor, whose parameters may only be the PluginContext or services it offers (here the plugin's settings and
 * its workspace).
 */
@Extension
public final class FileNotifier implements Notifier {
    private final Path file;

    public FileNotifier(PluginConfig config, Workspace workspace) {
        Path root = workspace.root();
        this.file = config.get("file")
                .map(String::trim)
                .filter(value -> !value.isEmpty())
                .map(root::resolve)
                .orElse(root.resolve("notifications.jsonl"));
    }

    @Override
    public synchronized void send(Notification notification) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, JsonLine.of(notification) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            // ExtensionFailedException: Gantry reports this message as is (e.g. in POST /api/notifications/test)
            throw new ExtensionFailedException("cannot append to " + file + ": " + e, e);
        }
    }
}
