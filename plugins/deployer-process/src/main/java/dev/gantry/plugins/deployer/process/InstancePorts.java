package dev.gantry.plugins.deployer.process;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the {@code PORT} of a new instance. A port that is free when chosen stays free only until the instance binds
 * it, a moment later; meanwhile another instance started at the same time must not get it, nor an outgoing connection
 * (the instance then exits with "Address already in use": a few starts in 10,000 with eight deploys at once). So ports
 * are handed out in turn from a random start, from 20000 up to the kernel's range for the local ports of outgoing
 * connections (Nomad's dynamic ports start at 20000 too), and taken from the kernel (port 0) only when that range
 * leaves no room below it.
 */
final class InstancePorts {
    static final int LOWEST = 20_000;
    private static final Path EPHEMERAL = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int[] LINUX_DEFAULT = {32_768, 60_999};
    private static final int ATTEMPTS = 50;
    /** The next port to try, as an offset from {@link #LOWEST}: a random start, so another server starts elsewhere. */
    private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 20));

    private InstancePorts() {
    }

    /** A port free on 127.0.0.1 now, the next in turn, outside the range outgoing connections take theirs from. */
    static int free() throws IOException {
        return free(ephemeralRange());
    }

    static int free(int[] ephemeral) throws IOException {
        int below = ephemeral[0] - LOWEST;
        if (below >= 1_000) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                int port = LOWEST + Math.floorMod(NEXT.getAndIncrement(), below);
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
