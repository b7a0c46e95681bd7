package dev.gantry.plugins.deployer.common;

/** An instance as the router and Prometheus see it: the version it runs and where it answers. */
public interface RoutedInstance {
    String version();

    /** {@code host:port}, as a router backend. */
    String address();
}
