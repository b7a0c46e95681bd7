package dev.gantry.sdk.bench;

import dev.gantry.sdk.FlagContext;
import dev.gantry.sdk.GantryFlags;
import dev.gantry.sdk.TestFlagServer;
import dev.gantry.sdk.openfeature.GantryProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.util.UnleashConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One evaluation of a 25 % rollout flag with two constraints ({@code country in [DE, FR, NL]} and
 * {@code app_version semver_gt 3.1.0}) for one of 1,024 prepared users (all matching the constraints, so every
 * evaluation checks both and buckets the user), in the same run:
 * <ul>
 *   <li>{@code gantry}: {@code GantryFlags.isEnabled}, the SDK's own API, with a client that received the flag over
 *       a real event stream from a local TestFlagServer and counts exposures, as an application's would;</li>
 *   <li>{@code openFeature}: the same client behind {@code GantryProvider}, through an OpenFeature {@code Client}
 *       ({@code getBooleanValue}) with prepared {@code ImmutableContext}s; {@code openFeatureProvider} calls the
 *       provider directly, without the OpenFeature client's hooks and bookkeeping;</li>
 *   <li>{@code unleash}: the Unleash Java SDK ({@code DefaultUnleash.isEnabled}) with the equivalent toggle (strategy
 *       {@code flexibleRollout}, rollout 25, stickiness {@code userId}, the same two constraints) from a bootstrap
 *       provider, no polling, no metrics, no network;</li>
 *   <li>{@code timerFloor}: returns a field, to show what sample mode's own timing adds to every sample.</li>
 * </ul>
 * Run through scripts/bench-flags-eval (average time and sample-time percentiles, with {@code -prof gc}).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class FlagEvaluationBenchmark {
    static final String FLAG_KEY = "new-checkout";
    static final String GANTRY_FLAG = TestFlagServer.flag(FLAG_KEY, 1, true, """
            [{"constraints": [{"attribute": "country", "operator": "in", "values": ["DE", "FR", "NL"]},
                              {"attribute": "app_version", "operator": "semver_gt", "values": ["3.1.0"]}],
              "rollout": 25, "serve": {"variant": "on"}}]""");
    static final String UNLEASH_TOGGLES = """
            {"version": 2, "features": [{"name": "new-checkout", "type": "release", "enabled": true,
              "strategies": [{"name": "flexibleRollout",
                "parameters": {"rollout": "25", "stickiness": "userId", "groupId": "new-checkout"},
                "constraints": [{"contextName": "country", "operator": "IN", "values": ["DE", "FR", "NL"]},
                                {"contextName": "app_version", "operator": "SEMVER_GT", "value": "3.1.0"}]}]}]}""";
    private static final int USERS = 1024;

    private TestFlagServer server;
    private GantryFlags flags;
    private Client openFeature;
    private FeatureProvider provider;
    private Unleash unleash;
    private Path unleashBackup;

    private final FlagContext[] gantryUsers = new FlagContext[USERS];
    private final EvaluationContext[] openFeatureUsers = new EvaluationContext[USERS];
    private final UnleashContext[] unleashUsers = new UnleashContext[USERS];
    private int next;
    private int constant = 42;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String[] countries = {"DE", "FR", "NL"};
        for (int i = 0; i < USERS; i++) {
            String id = "user-" + i;
            String country = countries[i % 3];
            String version = "3." + (2 + i % 5) + "." + (i % 7);
            gantryUsers[i] = FlagContext.builder(id).attribute("country", country).attribute("app_version", version)
                    .build();
            openFeatureUsers[i] = new ImmutableContext(id, Map.of("country", new Value(country),
                    "app_version", new Value(version)));
            unleashUsers[i] = UnleashContext.builder().userId(id).addProperty("country", country)
                    .addProperty("app_version", version).build();
        }

        server = new TestFlagServer("bench-token", "production").start();
        server.putFlag(GANTRY_FLAG);
        flags = GantryFlags.builder(server.url(), "bench-token", "production").build();
        if (!flags.awaitReady(Duration.ofSeconds(30))) {
            throw new IllegalStateException("the client did not receive the snapshot: " + flags.status());
        }
        provider = new GantryProvider(flags);
        OpenFeatureAPI.getInstance().setProviderAndWait("bench", provider);
        openFeature = OpenFeatureAPI.getInstance().getClient("bench");

        // a backup file that exists takes precedence over the bootstrap, so name one that does not
        unleashBackup = Files.createTempDirectory("unleash-bench").resolve("backup.json");
        UnleashConfig config = UnleashConfig.builder()
                .appName("bench")
                .instanceId("bench")
                .unleashAPI("http://127.0.0.1:9/api/")
                .disablePolling()
                .disableMetrics()
                .backupFile(unleashBackup.toString())
                .toggleBootstrapProvider(() -> Optional.of(UNLEASH_TOGGLES))
                .build();
        unleash = new DefaultUnleash(config);

        // the three see the same flag: about a quarter of these users, all matching the constraints, get it
        int gantryOn = 0;
        int openFeatureOn = 0;
        int unleashOn = 0;
        for (int i = 0; i < USERS; i++) {
            gantryOn += flags.isEnabled(FLAG_KEY, gantryUsers[i], false) ? 1 : 0;
            openFeatureOn += openFeature.getBooleanValue(FLAG_KEY, false, openFeatureUsers[i]) ? 1 : 0;
            unleashOn += unleash.isEnabled(FLAG_KEY, unleashUsers[i], false) ? 1 : 0;
        }
        for (int on : new int[] {gantryOn, openFeatureOn, unleashOn}) {
            if (on < USERS * 0.18 || on > USERS * 0.32) {
                throw new IllegalStateException("expected about 25 % on, got " + gantryOn + " (Gantry), " + openFeatureOn
                        + " (OpenFeature), " + unleashOn + " (Unleash) of " + USERS);
            }
        }
        if (gantryOn != openFeatureOn) {
            throw new IllegalStateException("the OpenFeature provider disagrees with the client");
        }
        System.out.println("users on of " + USERS + ": Gantry " + gantryOn + ", Unleash " + unleashOn);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        OpenFeatureAPI.getInstance().shutdown();
        flags.close();
        unleash.shutdown();
        server.close();
        Files.deleteIfExists(unleashBackup);
        Files.deleteIfExists(unleashBackup.getParent());
    }

    private int nextUser() {
        int i = next;
        next = (i + 1) & (USERS - 1);
        return i;
    }

    @Benchmark
    public boolean gantry() {
        return flags.isEnabled(FLAG_KEY, gantryUsers[nextUser()], false);
    }

    @Benchmark
    public boolean openFeature() {
        return openFeature.getBooleanValue(FLAG_KEY, false, openFeatureUsers[nextUser()]);
    }

    @Benchmark
    public Boolean openFeatureProvider() {
        return provider.getBooleanEvaluation(FLAG_KEY, false, openFeatureUsers[nextUser()]).getValue();
    }

    @Benchmark
    public boolean unleash() {
        return unleash.isEnabled(FLAG_KEY, unleashUsers[nextUser()], false);
    }

    @Benchmark
    public int timerFloor() {
        return constant;
    }
}
