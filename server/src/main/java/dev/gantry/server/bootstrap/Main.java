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
import dev.gantry.server.auth.Tokens;
import dev.gantry.server.build.HttpBuildCoordinator;
import dev.gantry.server.build.RemoteBuildAgent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/gantry}: the server, the traffic router, the client commands that call a server's REST API (package
 * {@code dev.gantry.server.cli}, docs/cli.md) and the build agent (docs/agents.md).
 */
@Command(name = "gantry", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Gantry: from git push to a judged, progressive rollout.",
        subcommands = {Main.ServerCommand.class, Main.AgentCommand.class, Main.RouterCommand.class,
                BuildCommand.class, DeployCommand.class, RollbackCommand.class, ApprovalCommand.Approve.class,
                ApprovalCommand.Reject.class, FlagsCommand.class, PluginsCommand.class})
public final class Main {
    /** Exit code when the configuration is invalid. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code when the server could not start for another reason. */
    public static final int EXIT_START_FAILED = 1;
    /** Exit code when the server refuses the agent's token. */
    public static final int EXIT_REFUSED = 3;

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
            Path home = home();
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

    @Command(name = "agent", mixinStandardHelpOptions = true,
            description = "Run a build agent: lease builds from a Gantry server over HTTP and run them here "
                    + "(docs/agents.md). The agent token comes from GANTRY_AGENT_TOKEN or --token-file.")
    static final class AgentCommand implements Callable<Integer> {
        static final String TOKEN_VARIABLE = "GANTRY_AGENT_TOKEN";

        @Option(names = "--server", paramLabel = "URL", description = "The server's URL (default: $GANTRY_URL).")
        String server;

        @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the agent token.")
        Path tokenFile;

        @Option(names = "--name", paramLabel = "NAME", description = "This agent's name, unique per token (default: the host name).")
        String name;

        @Option(names = "--labels", paramLabel = "LABEL", split = ",",
                description = "Labels pipeline.yaml's agent_labels can ask for, e.g. arm64,gpu (the builders' kinds are added).")
        List<String> labels = List.of();

        @Option(names = "--slots", paramLabel = "N", description = "Builds run at once (default: the number of CPUs, at least 2).")
        Integer slots;

        @Option(names = "--work-dir", paramLabel = "DIR",
                description = "Workspaces, the dependency cache and unpacked plugins (default: $GANTRY_HOME/agent-data).")
        Path workDir;

        @Option(names = "--plugins", paramLabel = "ID", split = ",",
                description = "The plugins to load from --plugins-dir (default: ${DEFAULT-VALUE}).")
        List<String> plugins = List.of("builder-sandbox", "builder-docker", "scm-git");

        @Option(names = "--plugins-dir", paramLabel = "DIR", description = "Where the plugin zips are (default: $GANTRY_HOME/plugins).")
        Path pluginsDir;

        @Option(names = "--config", paramLabel = "FILE",
                description = "Settings file whose plugin.* keys configure the plugins (default: $GANTRY_HOME/conf/gantry.properties).")
        Path config;

        @Override
        public Integer call() throws InterruptedException {
            Path home = home();
            Map<String, String> environment = System.getenv();
            RemoteBuildAgent.Options options;
            try {
                options = options(home, environment);
            } catch (IllegalArgumentException | ConfigException e) {
                System.err.println("gantry agent: " + e.getMessage());
                return EXIT_CONFIG;
            }
            RemoteBuildAgent agent;
            try {
                agent = RemoteBuildAgent.start(options);
            } catch (HttpBuildCoordinator.AgentRefused e) {
                System.err.println("gantry agent: " + e.getMessage());
                return EXIT_REFUSED;
            } catch (RuntimeException e) {
                System.err.println("gantry agent: cannot start: " + e.getMessage());
                return EXIT_START_FAILED;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                agent.close();
                stopped.countDown();
            }, "shutdown"));
            System.out.println("Gantry agent " + options.name() + " is working for " + options.server());
            stopped.await();
            return 0;
        }

        private RemoteBuildAgent.Options options(Path home, Map<String, String> environment) {
            String url = server != null ? server : environment.get("GANTRY_URL");
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("no server: pass --server URL or set GANTRY_URL");
            }
            URI uri;
            try {
                uri = URI.create(url.endsWith("/") ? url : url + "/");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--server: not a URL: " + url);
            }
            if (uri.getHost() == null || !Set.of("http", "https").contains(uri.getScheme())) {
                throw new IllegalArgumentException("--server: not an http(s) URL: " + url);
            }
            String token = token(environment);
            if (!token.startsWith(Tokens.AGENT_PREFIX)) {
                throw new IllegalArgumentException("the token is not an agent token (gtyagt_...); an admin makes one "
                        + "with POST /api/agent-tokens");
            }
            String agentName = name != null ? name : hostName();
            int agentSlots = slots != null ? slots : Math.max(2, Runtime.getRuntime().availableProcessors());
            if (agentSlots < 1 || agentSlots > 256) {
                throw new IllegalArgumentException("--slots: between 1 and 256, got " + agentSlots);
            }
            Path file = config != null ? config : home.resolve("conf/gantry.properties");
            return new RemoteBuildAgent.Options(uri, token, agentName, new TreeSet<>(labels), agentSlots,
                    (workDir != null ? workDir : home.resolve("agent-data")).toAbsolutePath(),
                    pluginsDir != null ? pluginsDir : home.resolve("plugins"), plugins,
                    Settings.load(file, Map.of()).pluginSettings());
        }

        private String token(Map<String, String> environment) {
            if (tokenFile != null) {
                try {
                    return Files.readString(tokenFile).strip();
                } catch (IOException e) {
                    throw new IllegalArgumentException("--token-file: cannot read " + tokenFile + ": " + e.getMessage());
                }
            }
            String token = environment.get(TOKEN_VARIABLE);
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("no agent token: set " + TOKEN_VARIABLE + " or pass --token-file FILE");
            }
            return token.strip();
        }

        private static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "-");
            } catch (IOException e) {
                return "agent";
            }
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

    /** The installation's directory (set by bin/gantry); java.util.logging goes to the same log as the rest. */
    private static Path home() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        return Path.of(System.getProperty("gantry.home", ".")).toAbsolutePath().normalize();
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
