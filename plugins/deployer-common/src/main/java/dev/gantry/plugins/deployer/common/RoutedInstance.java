package dev.gantry.plugins.deployer.common;

/** An instance as the router and Prometheus see it: the version it runs and where it answers. */
public interface RoutedInstance {
    /** How the deployer's {@code instances} call names the instance. */
    String instanceId();

    String version();

    /** {@code host:port}, as a router backend. */
    String address();
}
