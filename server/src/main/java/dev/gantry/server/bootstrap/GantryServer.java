package dev.gantry.server.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import dev.gantry.server.artifact.ArtifactConfig;
import dev.gantry.server.artifact.ArtifactModule;
import dev.gantry.server.artifact.ArtifactRetention;
import dev.gantry.server.audit.AuditModule;
import dev.gantry.server.build.BuildConfig;
import dev.gantry.server.build.BuildEvents;
import dev.gantry.server.build.BuildModule;
import dev.gantry.server.build.LocalBuildAgent;
import dev.gantry.server.deploy.DeployConfig;
import dev.gantry.server.deploy.DeployController;
import dev.gantry.server.deploy.DeployModule;
import dev.gantry.server.flags.FlagHygiene;
import dev.gantry.server.flags.FlagStreams;
import dev.gantry.server.flags.FlagsConfig;
import dev.gantry.server.flags.FlagsModule;
import dev.gantry.server.auth.AuthModule;
import dev.gantry.server.auth.IdentityService;
import dev.gantry.server.config.ServerConfig;
import dev.gantry.server.config.Settings;
import dev.gantry.server.http.HttpModule;
import dev.gantry.server.http.HttpServer;
import dev.gantry.server.http.Readiness;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.DatabaseConfig;
import dev.gantry.server.persistence.Notifications;
import dev.gantry.server.persistence.PersistenceModule;
import dev.gantry.server.notify.NotifyModule;
import dev.gantry.server.plugins.PluginChangeListener;
import dev.gantry.server.plugins.PluginHost;
import dev.gantry.server.plugins.PluginModule;
import dev.gantry.server.pipeline.PipelineModule;
import dev.gantry.server.plugins.PluginService;
import dev.gantry.server.scm.ScmModule;
import dev.gantry.server.secrets.SecretsModule;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Gantry server: reads and validates its configuration, then starts the database and the HTTP server in
 * parallel, creates the first admin on an empty database, loads plugins, and reports ready.
 */
public final class GantryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GantryServer.class);

    private final ServerConfig config;
    private final Injector injector;
    private final PrintStream console;
    private volatile boolean started;

    private GantryServer(ServerConfig config, Injector injector, PrintStream console) {
        this.config = config;
        this.injector = injector;
        this.console = console;
    }

    /** Validates the whole configuration and wires the server; nothing is started yet. */
    public static GantryServer create(Settings settings, Path home, PrintStream console) {
        ServerConfig serverConfig = ServerConfig.from(settings, home);
        DatabaseConfig databaseConfig = DatabaseConfig.from(settings);
        ArtifactConfig artifactConfig = ArtifactConfig.from(settings);
        BuildConfig buildConfig = BuildConfig.from(settings, serverConfig.dataDir());
        DeployConfig deployConfig = DeployConfig.from(settings);
        FlagsConfig flagsConfig = FlagsConfig.from(settings);
        settings.validate();
        List<Module> modules = List.of(
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        binder().requireExplicitBindings();
                        binder().disableCircularProxies();
                        bind(ServerConfig.class).toInstance(serverConfig);
                        bind(Clock.class).toInstance(Clock.systemUTC());
                    }
                },
                new PersistenceModule(databaseConfig),
                new HttpModule(),
                new AuditModule(),
                new AuthModule(),
                new SecretsModule(),
                new PluginModule(),
                new NotifyModule(),
                new PipelineModule(),
                new ArtifactModule(artifactConfig),
                new ScmModule(),
                new BuildModule(buildConfig),
                new DeployModule(deployConfig),
                new FlagsModule(flagsConfig));
        return new GantryServer(serverConfig, Guice.createInjector(Stage.PRODUCTION, modules), console);
    }

    public void start() throws Exception {
        long startedAt = System.nanoTime();
        Database database = injector.getInstance(Database.class);
        Readiness readiness = injector.getInstance(Readiness.class);
        HttpServer http = injector.getInstance(HttpServer.class);
        started = true;
        // the database (embedded PostgreSQL, migrations, Hibernate) and Jetty do not depend on each other
        var databaseReady = database.start();
        http.start();
        log.info("HTTP listening on {} (port {})", http.url(), http.port());
        try {
            databaseReady.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }

        readiness.waitFor("the admin user");
        Optional<String> adminToken = injector.getInstance(IdentityService.class).bootstrapAdmin(config.bootstrapToken());
        adminToken.ifPresent(token -> {
            if (config.bootstrapToken().isPresent()) {
                console.println("Created user 'admin' with the token from GANTRY_BOOTSTRAP_TOKEN.");
            } else {
                // printed to the console, never to the log: the token is shown this once
                console.println("Created user 'admin'. Its API token (shown once, keep it safe):");
                console.println();
                console.println("    " + token);
                console.println();
                console.println("Open the UI, choose 'Sign in with an API token', paste it, then set a password under your account.");
                console.println();
            }
        });

        readiness.waitFor("plugins");
        injector.getInstance(PluginService.class).start();
        injector.getInstance(PluginChangeListener.class).start();
        injector.getInstance(ArtifactRetention.class).start();
        injector.getInstance(BuildEvents.class); // subscribes before the feed starts listening
        injector.getInstance(LocalBuildAgent.class).start();
        injector.getInstance(DeployController.class).start();
        injector.getInstance(FlagStreams.class).start(); // subscribes before the feed starts listening
        injector.getInstance(FlagHygiene.class).start();
        injector.getInstance(Notifications.class).start();

        readiness.markReady();
        console.printf("Gantry is ready at %s (started in %d ms)%n", http.url(), (System.nanoTime() - startedAt) / 1_000_000);
    }

    public URI url() {
        return injector.getInstance(HttpServer.class).url();
    }

    public int port() {
        return injector.getInstance(HttpServer.class).port();
    }

    public Injector injector() {
        return injector;
    }

    @Override
    public void close() {
        if (!started) {
            // a shutdown before start: keep the database from starting afterwards
            injector.getInstance(Database.class).close();
            return;
        }
        try {
            injector.getInstance(HttpServer.class).stop();
        } catch (Exception e) {
            log.warn("HTTP server did not stop cleanly: {}", e.getMessage());
        }
        injector.getInstance(LocalBuildAgent.class).close();
        injector.getInstance(DeployController.class).close();
        injector.getInstance(FlagStreams.class).close();
        injector.getInstance(FlagHygiene.class).close();
        injector.getInstance(Notifications.class).close();
        injector.getInstance(ArtifactRetention.class).close();
        try {
            injector.getInstance(PluginHost.class).close();
        } catch (RuntimeException e) {
            log.warn("Plugins did not stop cleanly: {}", e.getMessage());
        }
        injector.getInstance(Database.class).close();
    }
}
