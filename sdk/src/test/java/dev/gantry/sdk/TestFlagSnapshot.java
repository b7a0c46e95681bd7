package dev.gantry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a snapshot takes one change: only what the change touches is compiled again. */
class TestFlagSnapshot {
    private static final FlagContext GERMAN = FlagContext.builder("u-1").attribute("country", "DE").build();
    private static final String GERMANY = "{\"key\": \"germany\", \"constraints\": [{\"attribute\": \"country\","
            + " \"operator\": \"in\", \"values\": [\"DE\"]}]}";
    private static final String AUSTRIA = "{\"key\": \"germany\", \"constraints\": [{\"attribute\": \"country\","
            + " \"operator\": \"in\", \"values\": [\"AT\"]}]}";

    private final List<String> warnings = new ArrayList<>();

    private FlagSnapshot snapshot(String segments, String... flags) {
        return FlagSnapshot.of(TestFlagServer.parse("{\"environment\": \"production\", \"flags\": ["
                + String.join(",", flags) + "], \"segments\": [" + segments + "]}"), FlagSnapshot.Source.SERVER, null,
                warnings::add);
    }

    private static String usingGermany(String key) {
        return TestFlagServer.flag(key, 1, true, "[{\"segments\": [\"germany\"], \"serve\": {\"variant\": \"on\"}}]");
    }

    private static String forEveryone(String key) {
        return TestFlagServer.flag(key, 1, true, "[{\"serve\": {\"variant\": \"on\"}}]");
    }

    @Test
    void aSegmentChangeCompilesOnlyTheFlagsThatUseIt() {
        FlagSnapshot before = snapshot(GERMANY, usingGermany("eu-banner"), forEveryone("checkout"));
        assertThat(before.flag("eu-banner").evaluate(GERMAN).enabled()).isTrue();

        FlagSnapshot after = before.withSegment(TestFlagServer.parse(AUSTRIA), null, warnings::add);

        assertThat(after.flag("eu-banner").evaluate(GERMAN).enabled()).isFalse();
        assertThat(after.flag("checkout")).as("untouched, shared with the snapshot before").isSameAs(before.flag("checkout"));
        assertThat(before.flag("eu-banner").evaluate(GERMAN).enabled()).as("the snapshot before is unchanged").isTrue();
        assertThat(after.flagsUsingSegment("germany")).containsExactly("eu-banner");
    }

    @Test
    void aFlagNamingASegmentNotYetKnownMatchesOnceItArrivesAndNoLongerOnceItIsRemoved() {
        FlagSnapshot before = snapshot("", usingGermany("eu-banner"));
        assertThat(before.flag("eu-banner").evaluate(GERMAN).enabled()).isFalse();

        FlagSnapshot arrived = before.withSegment(TestFlagServer.parse(GERMANY), null, warnings::add);
        assertThat(arrived.flag("eu-banner").evaluate(GERMAN).enabled()).isTrue();

        FlagSnapshot removed = arrived.withoutSegment("germany", null, warnings::add);
        assertThat(removed.flag("eu-banner").evaluate(GERMAN).enabled()).isFalse();
    }

    @Test
    void aFlagChangeLeavesTheOtherFlagsAsTheyWere() {
        FlagSnapshot before = snapshot(GERMANY, usingGermany("eu-banner"), forEveryone("checkout"));

        FlagSnapshot after = before.withFlag(TestFlagServer.parse(TestFlagServer.flag("checkout", 2, false, "[]")), null,
                warnings::add);

        assertThat(after.flag("checkout").evaluate(GERMAN).reason()).isEqualTo(Reason.DISABLED);
        assertThat(before.flag("checkout").evaluate(GERMAN).reason()).isEqualTo(Reason.TARGETING_MATCH);
        assertThat(after.flag("eu-banner")).isSameAs(before.flag("eu-banner"));
        assertThat(after.flagDocuments().keySet()).containsExactly("eu-banner", "checkout");
    }
}
