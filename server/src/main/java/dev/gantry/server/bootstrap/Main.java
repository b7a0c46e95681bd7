package dev.gantry.server.bootstrap;

import dev.gantry.router.RouterMain;
import dev.gantry.router.RouterOptions;
import dev.gantry.server.cli.ApprovalCommand;
import dev.gantry.server.cli.BuildCommand;
import dev.gantry.server.cli.DeployCommand;
import dev.gantry.server.cli.FlagsCommand;
import dev.gantry.server.cli.PluginsCommand;
import dev.gantry.server.cli.RollbackCommand;
import dev.gantry.server.config.ConfigException;
import dev.gantry.server.config.Settings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/gantry}: the server, the traffic router, the client commands that call a server's REST API (package
 * {@code dev.gantry.server.cli}, docs/cli.md) and, later, the build agent.
 */
@Command(name = "gantry", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Gantry: from git push to a judged, progressive rollout.",
        subcommands = {Main.ServerCommand.class, Main.RouterCommand.class,
                BuildCommand.class, DeployCommand.class, RollbackCommand.class, ApprovalCommand.Approve.class,
                ApprovalCommand.Reject.class, FlagsCommand.class, PluginsCommand.class})
public final class Main {
    /** Exit code when the configuration is invalid. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code when the server could not start for another reason. */
    public static final int EXIT_START_FAILED = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Command(name = "server", mixinStandardHelpOptions = true,
            description = "Run the Gantry server (embedded PostgreSQL unless database.url is set).")
    static final class ServerCommand implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE",
                description = "Configuration file (default: $GANTRY_HOME/conf/gantry.properties).")
        Path config;

        @Override
        public Integer call() throws InterruptedException {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
            Path home = Path.of(System.getProperty("gantry.home", ".")).toAbsolutePath().normalize();
            Path file = config != null ? config : home.resolve("conf/gantry.properties");
            GantryServer server;
            try {
                server = GantryServer.create(Settings.load(file, System.getenv()), home, System.out);
            } catch (ConfigException e) {
                System.err.println("gantry: " + e.getMessage());
                return EXIT_CONFIG;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "shutdown"));
            try {
                server.start();
            } catch (Exception e) {
                System.err.println("gantry: the server did not start: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                org.slf4j.LoggerFactory.getLogger(Main.class).error("Start-up failed", e);
                return EXIT_START_FAILED;
            }
            markClassDataRecordingGood();
            stopped.await();
            return 0;
        }
    }

    @Command(name = "router", mixinStandardHelpOptions = true,
            description = "Run a traffic router in front of one service: splits HTTP traffic between versions by weight "
                    + "and records each request's latency and status (started by the process deployer; see docs/router.md).")
    static final class RouterCommand implements Callable<Integer> {
        @Mixin
        RouterOptions options;

        @Override
        public Integer call() throws InterruptedException {
            return RouterMain.run(options);
        }
    }

    /** Tells the launcher that the class-data archive this run records (see bin/gantry) covers a whole start. */
    private static void markClassDataRecordingGood() {
        String recording = System.getProperty("gantry.cds.recording");
        if (recording != null) {
            try {
                java.nio.file.Files.writeString(Path.of(recording + ".ready"), "ready\n");
            } catch (java.io.IOException e) {
                org.slf4j.LoggerFactory.getLogger(Main.class).debug("Cannot mark the class-data recording: {}", e.getMessage());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gantry " + dev.gantry.plugin.api.PluginApi.VERSION};
        }
    }
}
