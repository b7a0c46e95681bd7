package dev.gantry.plugin.api.deploy;

/** One running instance of a version and whether its health check passes. */
public record InstanceStatus(String instanceId, String version, String address, boolean healthy) {
}
