package dev.gantry.plugins.deployer.docker;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerPort;
import dev.gantry.plugins.deployer.common.RoutedInstance;
import java.util.Map;
import java.util.Optional;

/**
 * One instance, as its container's labels describe it: everything needed to find it again after a server restart is on
 * the container itself, so the deployer keeps no record of its own.
 *
 * @param hostPort the port on 127.0.0.1 its port 8080 is published on; 0 when it has none (it does not run)
 */
record ContainerInstance(String id, String name, String version, int index, String digest, String healthPath,
                         long fence, boolean running, int hostPort) implements RoutedInstance {
    static final String SERVICE = "dev.gantry.service";
    static final String ENVIRONMENT = "dev.gantry.environment";
    static final String TARGET = "dev.gantry.target";
    static final String VERSION = "dev.gantry.version";
    static final String DIGEST = "dev.gantry.digest";
    static final String INDEX = "dev.gantry.index";
    static final String FENCE = "dev.gantry.fence";
    static final String HEALTH_PATH = "dev.gantry.health-path";
    /** The port the service listens on inside its container ({@code PORT}). */
    static final int PORT = 8080;

    /** Containers are named for the API by their container name. */
    @Override
    public String instanceId() {
        return name;
    }

    @Override
    public String address() {
        return "127.0.0.1:" + hostPort;
    }

    /** The instance a listed container is, or empty when its labels are not a complete set of ours. */
    static Optional<ContainerInstance> of(Container container) {
        Map<String, String> labels = container.getLabels() == null ? Map.of() : container.getLabels();
        try {
            String name = container.getNames() != null && container.getNames().length > 0
                    ? container.getNames()[0].replaceFirst("^/", "") : container.getId();
            boolean running = "running".equals(container.getState());
            return Optional.of(new ContainerInstance(container.getId(), name, required(labels, VERSION),
                    Integer.parseInt(required(labels, INDEX)), required(labels, DIGEST), required(labels, HEALTH_PATH),
                    Long.parseLong(required(labels, FENCE)), running, running ? hostPort(container) : 0));
        } catch (IllegalArgumentException incomplete) {
            return Optional.empty();
        }
    }

    private static String required(Map<String, String> labels, String label) {
        String value = labels.get(label);
        if (value == null) {
            throw new IllegalArgumentException("no label " + label);
        }
        return value;
    }

    private static int hostPort(Container container) {
        if (container.getPorts() == null) {
            return 0;
        }
        for (ContainerPort port : container.getPorts()) {
            if (port.getPrivatePort() != null && port.getPrivatePort() == PORT && port.getPublicPort() != null
                    && "127.0.0.1".equals(port.getIp())) {
                return port.getPublicPort();
            }
        }
        return 0;
    }
}
