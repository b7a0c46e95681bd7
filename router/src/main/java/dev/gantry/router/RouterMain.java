package dev.gantry.router;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Entry point of the router process: {@code java -cp ... dev.gantry.router.RouterMain --state-dir DIR
 * --listen-port P [--listen-host H] [--samples-per-version N]}; {@code gantry router} runs the same {@link #run}.
 * Runs until SIGTERM (or SIGINT), then stops accepting, lets in-flight requests finish (5 s at most) and exits.
 * Exit codes: 143 after a clean stop by SIGTERM (the JVM's 128 + signal), 1 when the router could not start, 2 for a
 * usage error.
 */
@Command(name = "router", mixinStandardHelpOptions = true,
        description = "Run a traffic router: splits HTTP traffic between versions by weight, records samples.")
public final class RouterMain implements Callable<Integer> {
    /** Exit code when the router could not start (state directory, state file, port). */
    public static final int EXIT_START_FAILED = 1;
    /** Exit code for a bad command line. */
    public static final int EXIT_USAGE = 2;

    @Mixin
    RouterOptions options;

    public static void main(String[] args) {
        useBundledLoggingConfigurationIfNone();
        System.exit(new CommandLine(new RouterMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        return run(options);
    }

    /**
     * Starts a router, blocks until the JVM shuts down (SIGTERM), and stops it then. Returns the exit code when the
     * router could not start; on a clean stop the JVM exits through its shutdown hooks.
     */
    public static int run(RouterOptions options) throws InterruptedException {
        try {
            options.validate();
        } catch (IllegalArgumentException e) {
            System.err.println("gantry router: " + e.getMessage());
            return EXIT_USAGE;
        }
        Router router;
        try {
            router = Router.start(options);
        } catch (RouterException e) {
            System.err.println("gantry router: " + e.getMessage());
            org.slf4j.LoggerFactory.getLogger(RouterMain.class).debug("Start-up failed", e);
            return EXIT_START_FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            stopped.countDown();
        }, "router-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * Without a logback configuration on the class path logback logs everything at DEBUG, Jetty's per-request lines
     * included: point it at the router's own (INFO, Jetty at WARN) unless the class path or the command line has one.
     * Must run before the first logger is made.
     */
    private static void useBundledLoggingConfigurationIfNone() {
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        ClassLoader loader = RouterMain.class.getClassLoader();
        if (loader.getResource("logback-test.xml") == null && loader.getResource("logback.xml") == null) {
            System.setProperty("logback.configurationFile", "dev/gantry/router/router-logback.xml");
        }
    }
}
