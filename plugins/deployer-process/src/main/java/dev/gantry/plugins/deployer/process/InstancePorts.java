package dev.gantry.plugins.deployer.process;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the {@code PORT} of a new instance. A port that is free when chosen stays free only until the instance binds
 * it, a moment later, and one from the kernel's range for the local ports of outgoing connections can be taken by any
 * connection meanwhile: the instance then exits with "Address already in use" (a few starts in 10,000 with eight
 * deploys at once and traffic through the routers). So ports come from below that range, from 20000 up as Nomad's
 * dynamic ports do, and from the kernel (port 0) only when the range leaves no room there.
 */
final class InstancePorts {
    static final int LOWEST = 20_000;
    private static final Path EPHEMERAL = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int[] LINUX_DEFAULT = {32_768, 60_999};
    private static final int ATTEMPTS = 50;

    private InstancePorts() {
    }

    /** A port free on 127.0.0.1 now, outside the range outgoing connections take theirs from when possible. */
    static int free() throws IOException {
        return free(ephemeralRange());
    }

    static int free(int[] ephemeral) throws IOException {
        int below = ephemeral[0] - LOWEST;
        if (below >= 1_000) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                int port = LOWEST + ThreadLocalRandom.current().nextInt(below);
                if (bindable(port)) {
                    return port;
                }
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The kernel's range for outgoing connections' local ports: two numbers, first and last. */
    static int[] ephemeralRange() {
        try {
            // line by line: a whole-file read of this sysctl returns only its first byte
            String[] fields = Files.readAllLines(EPHEMERAL).get(0).trim().split("\\s+");
            return new int[] {Integer.parseInt(fields[0]), Integer.parseInt(fields[1])};
        } catch (IOException | RuntimeException e) {
            return LINUX_DEFAULT.clone();
        }
    }

    private static boolean bindable(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (BindException e) {
            return false;
        }
    }
}
