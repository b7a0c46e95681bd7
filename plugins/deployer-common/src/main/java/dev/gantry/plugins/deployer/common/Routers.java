package dev.gantry.plugins.deployer.common;

import dev.gantry.plugin.api.deploy.DeployerException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router process of each target: found again through its {@code admin.json} (so a restarted server adopts the one
 * that kept serving traffic), or started detached when none answers.
 */
public final class Routers {
    private static final Logger log = LoggerFactory.getLogger(Routers.class);
    /** Server environment variables a router is not given: it needs none of the server's credentials. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|MASTER_KEY|PRIVATE_KEY|ACCESS_KEY|API_KEY).*");
    private static final int LOG_TAIL_BYTES = 2000;

    private final RouterSettings config;
    private final HttpClient httpClient;

    public Routers(RouterSettings config, HttpClient httpClient) {
        this.config = config;
        this.httpClient = httpClient;
    }

    /** Whether a router was ever started for the target (it may have died since). */
    public static boolean everStarted(TargetDirectory target) {
        return Files.exists(target.routerDir().resolve("admin.json"));
    }

    /** The target's router if it runs and answers; never starts one. */
    public Optional<RouterClient> running(TargetDirectory target) {
        return alive(target).map(admin -> new RouterClient(httpClient, admin)).filter(RouterClient::healthy);
    }

    /**
     * The admin.json of a router process that still runs. Its pid alone proves nothing (after a reboot it may be any
     * program's): the process must also have been started with this target's state directory.
     */
    public static Optional<RouterClient.Admin> alive(TargetDirectory target) {
        String stateDir = target.routerDir().toString();
        return RouterClient.Admin.read(target.routerDir())
                .filter(admin -> Processes.isAlive(admin.pid()))
                .filter(admin -> Processes.commandLine(admin.pid()).contains(stateDir));
    }

    /**
     * The target's router, started first unless one runs on the target's {@code router_port}. A router on another port
     * (the setting changed) is stopped and replaced. Call inside {@link TargetDirectory#exclusively}.
     */
    public RouterClient ensure(TargetDirectory target) {
        int port = routerPort(target);
        Optional<RouterClient.Admin> admin = alive(target);
        if (admin.isPresent()) {
            RouterClient client = new RouterClient(httpClient, admin.get());
            if (!awaitHealthy(client, config.startTimeout())) {
                log.warn("the router of target {} (pid {}) runs but does not answer; starting a new one",
                        target.describe(), admin.get().pid());
                stop(admin.get());
            } else if (admin.get().listenPort() != port) {
                log.info("the router of target {} listens on port {}, but router_port is now {}; replacing it",
                        target.describe(), admin.get().listenPort(), port);
                stop(admin.get());
            } else {
                return client;
            }
        }
        return start(target, port);
    }

    private RouterClient start(TargetDirectory target, int port) {
        List<String> command = new ArrayList<>(config.commandOrDefault());
        command.addAll(List.of("--state-dir", target.routerDir().toString(), "--listen-port", Integer.toString(port)));
        Path logFile = target.routerDir().resolve("router.log");
        Process process;
        try {
            Files.createDirectories(target.routerDir());
            process = Processes.startDetached(command, target.routerDir(), routerEnvironment(), logFile);
        } catch (IOException e) {
            throw new DeployerException("cannot start the router of target " + target.describe() + " ("
                    + String.join(" ", command) + "): " + e.getMessage(), e);
        }
        log.info("started the router of target {} on port {} (pid {})", target.describe(), port, process.pid());
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<RouterClient> router = running(target);
            if (router.isPresent()) {
                return router.get();
            }
            if (!process.isAlive()) {
                throw new DeployerException("the router of target " + target.describe() + " exited with status "
                        + process.exitValue() + " at start (port " + port + "); the end of " + logFile + ":\n"
                        + tail(logFile));
            }
            Processes.sleep(Duration.ofMillis(50));
        }
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new DeployerException("the router of target " + target.describe() + " did not answer within "
                + config.startTimeout().toMillis() + " ms of its start (" + config.prefix()
                + "router-start-timeout); it was stopped. The end of " + logFile + ":\n" + tail(logFile));
    }

    private boolean awaitHealthy(RouterClient client, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (client.healthy()) {
                return true;
            }
            if (!Processes.isAlive(client.admin().pid()) || System.nanoTime() - deadline >= 0) {
                return false;
            }
            Processes.sleep(Duration.ofMillis(100));
        }
    }

    private void stop(RouterClient.Admin admin) {
        ProcessHandle.of(admin.pid()).ifPresent(handle -> handle.info().startInstant().ifPresent(started ->
                Processes.stopTree(new Processes.Identity(admin.pid(), started, -1), config.stopGrace())));
    }

    /**
     * The port of the service's router on the target: the setting {@code router_port.<service>}, else
     * {@code router_port} (one router per service, so a target that runs several services names a port for each).
     */
    public static int routerPort(TargetDirectory target) {
        String text = target.target().settings().getOrDefault("router_port." + target.target().service(),
                target.target().settings().get("router_port"));
        if (text == null || text.isBlank()) {
            throw new DeployerException("target " + target.describe() + " has no router_port setting: the deployer "
                    + "needs the port its router listens on (set it in the environment's target settings)");
        }
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new DeployerException("target " + target.describe() + " has router_port '" + text
                + "', which is not a port (1 to 65535)");
    }

    private static Map<String, String> routerEnvironment() {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.keySet().removeIf(name -> SECRET_NAME.matcher(name).matches());
        // the server's JVM options (heap, a debug port) are not the router's
        environment.remove("GANTRY_OPTS");
        return environment;
    }

    public static String tail(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - LOG_TAIL_BYTES);
            byte[] bytes = new byte[(int) (in.length() - start)];
            in.seek(start);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }
}
