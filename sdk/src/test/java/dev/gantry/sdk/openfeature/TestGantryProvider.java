package dev.gantry.sdk.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.sdk.FlagContext;
import dev.gantry.sdk.GantryFlags;
import dev.gantry.sdk.TestFlagServer;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEvent;
import dev.openfeature.sdk.Value;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestGantryProvider {
    private static final String SNAPSHOT = """
            {"environment": "production", "segments": [], "flags": [
              {"key": "new-checkout", "version": 7, "enabled": true,
               "variants": [{"key": "on", "payload": true}, {"key": "off", "payload": false}], "off_variant": "off",
               "rules": [{"constraints": [{"attribute": "plan", "operator": "in", "values": ["pro"]}],
                          "serve": {"variant": "on"}}]},
              {"key": "layout", "version": 2, "enabled": true,
               "variants": [{"key": "control", "payload": "one-page"}, {"key": "wizard", "payload": "two-step"}],
               "off_variant": "control",
               "rules": [{"serve": {"split": [{"variant": "control", "weight": 50}, {"variant": "wizard", "weight": 50}]}}]},
              {"key": "limits", "version": 1, "enabled": true,
               "variants": [{"key": "small", "payload": {"max_items": 10, "ratio": 0.5, "tags": ["a", "b"], "note": null}},
                            {"key": "off", "payload": 3}, {"key": "big", "payload": 3.5}, {"key": "huge", "payload": 9999999999}],
               "off_variant": "off",
               "rules": [{"constraints": [{"attribute": "tier", "operator": "num_gte", "values": ["2"]}], "serve": {"variant": "small"}},
                         {"constraints": [{"attribute": "tier", "operator": "num_eq", "values": ["1"]}], "serve": {"variant": "big"}},
                         {"constraints": [{"attribute": "tier", "operator": "num_eq", "values": ["0"]}], "serve": {"variant": "huge"}}]},
              {"key": "killed", "version": 4, "enabled": false, "off_variant": "off", "rules": []},
              {"key": "broken", "version": 1, "enabled": true, "rules": [{"serve": {"variant": "nope"}}]}
            ]}""";

    private final List<GantryFlags> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        clients.forEach(GantryFlags::close);
    }

    private GantryProvider provider() {
        GantryFlags flags = GantryFlags.offline("production").bootstrap(SNAPSHOT).build();
        clients.add(flags);
        return new GantryProvider(flags);
    }

    private static EvaluationContext user(String id, Map<String, Value> attributes) {
        return new ImmutableContext(id, attributes);
    }

    @Test
    void booleanEvaluationsReportVariantAndReason() {
        GantryProvider provider = provider();
        ProviderEvaluation<Boolean> pro = provider.getBooleanEvaluation("new-checkout", false,
                user("u-1", Map.of("plan", new Value("pro"))));
        assertThat(pro.getValue()).isTrue();
        assertThat(pro.getVariant()).isEqualTo("on");
        assertThat(pro.getReason()).isEqualTo("TARGETING_MATCH");
        assertThat(pro.getErrorCode()).isNull();
        assertThat(pro.getFlagMetadata().getLong("version")).isEqualTo(7L);

        ProviderEvaluation<Boolean> free = provider.getBooleanEvaluation("new-checkout", true,
                user("u-1", Map.of("plan", new Value("free"))));
        assertThat(free.getValue()).isFalse();
        assertThat(free.getVariant()).isEqualTo("off");
        assertThat(free.getReason()).isEqualTo("DEFAULT");

        ProviderEvaluation<Boolean> killed = provider.getBooleanEvaluation("killed", true, user("u-1", Map.of()));
        assertThat(killed.getValue()).isFalse();
        assertThat(killed.getReason()).isEqualTo("DISABLED");
    }

    @Test
    void stringSplitsReportSplit() {
        ProviderEvaluation<String> layout = provider().getStringEvaluation("layout", "none", user("u-9", Map.of()));
        assertThat(layout.getReason()).isEqualTo("SPLIT");
        assertThat(layout.getValue()).isIn("one-page", "two-step");
        assertThat(layout.getVariant()).isEqualTo(layout.getValue().equals("one-page") ? "control" : "wizard");
    }

    @Test
    void numbersAndObjectsComeFromThePayload() {
        GantryProvider provider = provider();
        EvaluationContext tierZero = user("u-1", Map.of("tier", new Value(0)));
        EvaluationContext tierOne = user("u-1", Map.of("tier", new Value(1.0)));
        EvaluationContext tierTwo = user("u-1", Map.of("tier", new Value(2)));
        EvaluationContext noTier = user("u-1", Map.of());
        assertThat(provider.getIntegerEvaluation("limits", -1, noTier).getValue()).isEqualTo(3);
        assertThat(provider.getDoubleEvaluation("limits", -1.0, noTier).getValue()).isEqualTo(3.0);
        assertThat(provider.getDoubleEvaluation("limits", -1.0, tierOne).getValue()).isEqualTo(3.5);

        ProviderEvaluation<Integer> notAnInt = provider.getIntegerEvaluation("limits", -1, tierOne);
        assertThat(notAnInt.getValue()).isEqualTo(-1);
        assertThat(notAnInt.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
        assertThat(notAnInt.getReason()).isEqualTo("ERROR");
        assertThat(notAnInt.getVariant()).isEqualTo("big");
        assertThat(provider.getIntegerEvaluation("limits", -1, tierZero).getErrorCode())
                .as("beyond an int").isEqualTo(ErrorCode.TYPE_MISMATCH);

        Value object = provider.getObjectEvaluation("limits", new Value("default"), tierTwo).getValue();
        assertThat(object.isStructure()).isTrue();
        assertThat(object.asStructure().getValue("max_items").asInteger()).isEqualTo(10);
        assertThat(object.asStructure().getValue("ratio").asDouble()).isEqualTo(0.5);
        assertThat(object.asStructure().getValue("tags").asList()).extracting(Value::asString).containsExactly("a", "b");
        assertThat(object.asStructure().getValue("note").isNull()).isTrue();
        assertThat(provider.getObjectEvaluation("limits", new Value(), noTier).getValue().asInteger()).isEqualTo(3);
    }

    @Test
    void errorsReturnTheDefaultWithTheirCode() {
        GantryProvider provider = provider();
        ProviderEvaluation<Boolean> missing = provider.getBooleanEvaluation("no-such-flag", true, user("u-1", Map.of()));
        assertThat(missing.getValue()).isTrue();
        assertThat(missing.getReason()).isEqualTo("ERROR");
        assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
        assertThat(missing.getErrorMessage()).contains("no-such-flag").contains("production");

        ProviderEvaluation<Boolean> mismatch = provider.getBooleanEvaluation("layout", true, user("u-1", Map.of()));
        assertThat(mismatch.getValue()).isTrue();
        assertThat(mismatch.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
        assertThat(mismatch.getErrorMessage()).contains("a string payload, not a boolean");

        ProviderEvaluation<String> broken = provider.getStringEvaluation("broken", "safe", user("u-1", Map.of()));
        assertThat(broken.getValue()).isEqualTo("safe");
        assertThat(broken.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
        assertThat(broken.getErrorMessage()).contains("nope");

        GantryFlags empty = GantryFlags.offline("production").build();
        clients.add(empty);
        ProviderEvaluation<Boolean> notReady = new GantryProvider(empty).getBooleanEvaluation("new-checkout", true,
                user("u-1", Map.of()));
        assertThat(notReady.getValue()).isTrue();
        assertThat(notReady.getErrorCode()).isEqualTo(ErrorCode.PROVIDER_NOT_READY);
    }

    @Test
    void neverThrows() {
        GantryProvider provider = provider();
        EvaluationContext hostile = (EvaluationContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {EvaluationContext.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("context exploded");
                });
        ProviderEvaluation<Boolean> result = provider.getBooleanEvaluation("new-checkout", true, hostile);
        assertThat(result.getValue()).isTrue();
        assertThat(result.getErrorCode()).isEqualTo(ErrorCode.GENERAL);
        assertThat(result.getErrorMessage()).contains("context exploded");

        assertThat(provider.getBooleanEvaluation("new-checkout", false, null).getReason()).isEqualTo("DEFAULT");
        assertThat(provider.getBooleanEvaluation(null, false, null).getErrorCode()).isNotNull();
        MutableContext odd = new MutableContext("u-1");
        odd.add("plan", new ImmutableStructure(Map.of("x", new Value(1))));
        odd.add("tags", List.of(new Value("a")));
        odd.add("at", Instant.parse("2026-11-25T10:00:00Z"));
        odd.add("flag", true);
        assertThat(provider.getBooleanEvaluation("new-checkout", false, odd).getReason()).isEqualTo("DEFAULT");
    }

    @Test
    void mapsTheEvaluationContext() {
        MutableContext ctx = new MutableContext("u-7");
        ctx.add("country", "DE");
        ctx.add("beta", true);
        ctx.add("tier", 2);
        ctx.add("score", 2.5);
        ctx.add("signed_up", Instant.parse("2026-11-25T10:00:00Z"));
        ctx.add("nested", new ImmutableStructure(Map.of("x", new Value(1))));
        FlagContext mapped = GantryProvider.toFlagContext(ctx);
        assertThat(mapped.userId()).contains("u-7");
        assertThat(mapped.attributes()).containsOnly(Map.entry("country", "DE"), Map.entry("beta", "true"),
                Map.entry("tier", "2"), Map.entry("score", "2.5"), Map.entry("signed_up", "2026-11-25T10:00:00Z"));

        MutableContext withoutKey = new MutableContext();
        withoutKey.add("user_id", "u-8");
        assertThat(GantryProvider.toFlagContext(withoutKey).userId()).contains("u-8");
        assertThat(GantryProvider.toFlagContext(new ImmutableContext()).userId()).isEmpty();
        assertThat(GantryProvider.toFlagContext(null).userId()).isEmpty();
    }

    @Test
    void reportsStaleWhenTheStreamHasBeenGoneTooLong() throws Exception {
        // a server that is not there: the client serves its bootstrap snapshot and keeps trying
        GantryFlags flags = GantryFlags.builder("http://127.0.0.1:9", "t", "production").bootstrap(SNAPSHOT)
                .backoff(Duration.ofSeconds(5), Duration.ofSeconds(10)).exposureReporting(false).build();
        clients.add(flags);
        Instant since = flags.status().disconnectedSince().orElseThrow();
        GantryProvider fresh = new GantryProvider(flags, Duration.ofMinutes(1), Duration.ZERO,
                Clock.fixed(since.plusSeconds(30), ZoneOffset.UTC));
        GantryProvider stale = new GantryProvider(flags, Duration.ofMinutes(1), Duration.ZERO,
                Clock.fixed(since.plusSeconds(90), ZoneOffset.UTC));
        EvaluationContext pro = user("u-1", Map.of("plan", new Value("pro")));
        assertThat(fresh.getBooleanEvaluation("new-checkout", false, pro).getReason()).isEqualTo("TARGETING_MATCH");
        ProviderEvaluation<Boolean> late = stale.getBooleanEvaluation("new-checkout", false, pro);
        assertThat(late.getValue()).isTrue();
        assertThat(late.getVariant()).isEqualTo("on");
        assertThat(late.getReason()).isEqualTo("STALE");
        assertThat(late.getFlagMetadata().getString("gantry_reason")).isEqualTo("TARGETING_MATCH");
    }

    @Test
    void worksThroughTheOpenFeatureApiAndSignalsChanges() throws Exception {
        try (TestFlagServer server = new TestFlagServer("t", "production").start()) {
            server.putFlag(TestFlagServer.flag("new-checkout", 1, true, "[{\"serve\": {\"variant\": \"on\"}}]"));
            GantryFlags flags = GantryFlags.builder(server.url(), "t", "production").build();
            clients.add(flags);
            OpenFeatureAPI api = OpenFeatureAPI.getInstance();
            String domain = "gantry-provider-test";
            api.setProviderAndWait(domain, new GantryProvider(flags));
            assertThat(flags.isReady()).isTrue();
            Client client = api.getClient(domain);
            List<List<String>> changed = new CopyOnWriteArrayList<>();
            client.on(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, details -> changed.add(details.getFlagsChanged()));

            FlagEvaluationDetails<Boolean> details = client.getBooleanDetails("new-checkout", false,
                    new ImmutableContext("u-1"));
            assertThat(details.getValue()).isTrue();
            assertThat(details.getVariant()).isEqualTo("on");
            assertThat(details.getReason()).isEqualTo("TARGETING_MATCH");
            FlagEvaluationDetails<Boolean> missing = client.getBooleanDetails("missing", true, new ImmutableContext("u-1"));
            assertThat(missing.getValue()).isTrue();
            assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);

            changed.clear(); // the first snapshot may have been signalled too
            server.putFlag(TestFlagServer.flag("new-checkout", 2, false, "[]"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((changed.isEmpty() || client.getBooleanValue("new-checkout", true, new ImmutableContext("u-1")))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(client.getBooleanValue("new-checkout", true, new ImmutableContext("u-1"))).isFalse();
            assertThat(changed).isNotEmpty().allSatisfy(keys -> assertThat(keys).containsExactly("new-checkout"));
            api.shutdown();
        }
    }
}
