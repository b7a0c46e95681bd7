package dev.gantry.server.plugins;

import java.time.Instant;
import java.util.List;

/**
 * A plugin as the API shows it. {@code state} is one of {@code started}, {@code disabled}, {@code failed},
 * {@code incompatible}, {@code stopped}, {@code resolved}; {@code problem} says what went wrong, if anything.
 */
public record PluginRepresentation(String id, String version, String description, String provider, String requires,
                                   String state, boolean enabled, String source, String sha256, long sizeBytes,
                                   Instant installedAt, String installedBy, String problem,
                                   List<PluginHost.ExtensionInfo> extensions) {
}
