package dev.gantry.plugins.deployer.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Instances get ports that outgoing connections cannot take before the instance binds them. */
class TestInstancePorts {
    @Test
    void portsComeFromBelowTheRangeOfOutgoingConnections() throws IOException {
        for (int i = 0; i < 20; i++) {
            int port = InstancePorts.free(new int[] {32_768, 60_999});
            assertThat(port).isBetween(InstancePorts.LOWEST, 32_767);
            assertBindable(port);
        }
    }

    @Test
    void instancesStartedAtOnceGetDifferentPorts() throws IOException {
        // none of these is bound yet, as when several deploys start instances at the same moment
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            assertThat(ports.add(InstancePorts.free(new int[] {32_768, 60_999}))).as("port %d handed out twice", i).isTrue();
        }
    }

    @Test
    void theKernelChoosesWhenTheRangeLeavesNoRoomBelowIt() throws IOException {
        int port = InstancePorts.free(new int[] {1_024, 65_535});
        assertThat(port).isPositive();
        assertBindable(port);
    }

    @Test
    void readsTheMachinesRange() throws IOException {
        String line = new String(new ProcessBuilder("cat", "/proc/sys/net/ipv4/ip_local_port_range").start()
                .getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        int[] range = InstancePorts.ephemeralRange();
        assertThat(range[0] + "\t" + range[1]).isEqualTo(line);
    }

    private static void assertBindable(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }
}
