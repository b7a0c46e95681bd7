package dev.gantry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TestSemver {
    @Test
    void ordersAsSemverPrecedenceSays() {
        // semver.org 2.0.0, section 11
        List<String> ascending = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.10.0", "2.0.0-0",
                "2.0.0", "10.0.0");
        for (int i = 0; i < ascending.size(); i++) {
            for (int j = 0; j < ascending.size(); j++) {
                Semver a = Semver.parse(ascending.get(i));
                Semver b = Semver.parse(ascending.get(j));
                assertThat(Integer.signum(a.compareTo(b))).as("%s vs %s", ascending.get(i), ascending.get(j))
                        .isEqualTo(Integer.compare(i, j));
            }
        }
    }

    @Test
    void buildMetadataIsIgnored() {
        assertThat(Semver.parse("1.2.3+build.7").compareTo(Semver.parse("1.2.3"))).isZero();
        assertThat(Semver.parse("1.2.3-rc.1+exp.sha.5114f85").compareTo(Semver.parse("1.2.3-rc.1"))).isZero();
    }

    @Test
    void numericPreReleaseIdentifiersCompareAsNumbersOfAnyLength() {
        assertThat(Semver.parse("1.0.0-rc.99999999999999999999").compareTo(Semver.parse("1.0.0-rc.100000000000000000000")))
                .isNegative();
    }

    @Test
    void refusesWhatIsNotASemanticVersion() {
        for (String text : new String[] {"", "3.2", "3", "v3.2.0", "3.2.0.1", "03.2.0", "3.02.0", "3.2.0-", "3.2.0+",
                "3.2.0-01", "3.2.0-al..pha", "3.2.0-é", "a.b.c", "3.2.x", " 3.2.0", "-1.0.0", "99999999999999999999.0.0"}) {
            assertThat(Semver.parse(text)).as(text).isNull();
        }
    }
}
