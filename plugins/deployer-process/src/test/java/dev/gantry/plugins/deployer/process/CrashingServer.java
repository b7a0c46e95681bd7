package dev.gantry.plugins.deployer.process;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.deploy.InstanceStatus;
import dev.gantry.plugin.api.deploy.VersionSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for a Gantry server, run as its own JVM by a test: deploys v1 with two instances behind the router, then
 * dies at once as a crashed server would (no shutdown hooks, nothing stopped or cleaned up).
 * Arguments: data directory, router port, artifact digest, download URL.
 */
public final class CrashingServer {
    private CrashingServer() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDirectory = Path.of(args[0]);
        ProcessDeployer deployer = new ProcessDeployer(new Harness.TestContext(dataDirectory,
                new PluginConfig(Map.of("router-command", Harness.routerCommand()))));
        DeployTarget target = new DeployTarget("hello", "staging", "local", Map.of("router_port", args[1]), 1);
        deployer.ensureInstances(target, new VersionSpec("v1", args[2], URI.create(args[3]),
                Map.of("HELLO_MESSAGE", "v1"), "/healthz"), 2);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            List<InstanceStatus> instances = deployer.instances(target);
            if (instances.size() == 2 && instances.stream().allMatch(InstanceStatus::healthy)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                System.out.println("instances did not become healthy: " + instances);
                Runtime.getRuntime().halt(1);
            }
            Thread.sleep(100);
        }
        deployer.setWeights(target, Map.of("v1", 100));
        System.out.println("deployed");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
