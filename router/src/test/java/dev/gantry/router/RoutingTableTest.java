package dev.gantry.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    private static RoutingTable table(Object... versionWeight) {
        TreeMap<String, RouterState.Version> versions = new TreeMap<>();
        for (int i = 0; i < versionWeight.length; i += 2) {
            versions.put((String) versionWeight[i], new RouterState.Version((Integer) versionWeight[i + 1], List.of("127.0.0.1:" + (9000 + i))));
        }
        return RoutingTable.of(new RouterState(1, versions), new SampleStore(10), null);
    }

    @Test
    void cookieBucketFindsTheStickyCookieAmongOthers() {
        int expected = Murmur3.bucket("user-7", 0, 6);
        assertThat(RoutingTable.cookieBucket("gantry_sticky=user-7")).isEqualTo(expected);
        assertThat(RoutingTable.cookieBucket("a=b; gantry_sticky=user-7")).isEqualTo(expected);
        assertThat(RoutingTable.cookieBucket("a=b;gantry_sticky=user-7; c=d")).isEqualTo(expected);
        assertThat(RoutingTable.cookieBucket("gantry_sticky=\"user-7\"")).isEqualTo(expected);
        assertThat(RoutingTable.cookieBucket("x_gantry_sticky=user-7")).isEqualTo(-1);
        assertThat(RoutingTable.cookieBucket("gantry_stickyx=user-7")).isEqualTo(-1);
        assertThat(RoutingTable.cookieBucket("gantry_sticky=")).isEqualTo(-1);
        assertThat(RoutingTable.cookieBucket("gantry_sticky")).isEqualTo(-1);
        assertThat(RoutingTable.cookieBucket("a=gantry_sticky=user-7")).isEqualTo(-1);
        assertThat(RoutingTable.cookieBucket("")).isEqualTo(-1);
    }

    @Test
    void weightsAreLaidOutInNameOrderOverOneHundredBuckets() {
        RoutingTable table = table("b", 30, "a", 70);
        Map<String, Integer> byBucketOwner = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            String key = "k" + i;
            Route route = table.choose(HttpFields.build().add(RoutingTable.STICKY_HEADER, key));
            int bucket = Murmur3.bucket(key, 0, key.length());
            assertThat(route.version).isEqualTo(bucket < 70 ? "a" : "b");
            byBucketOwner.merge(route.version, 1, Integer::sum);
        }
        assertThat(byBucketOwner.get("b")).isBetween(2700, 3300);
    }

    @Test
    void noWeightMeansNoRouteUnlessForced() {
        RoutingTable table = table("a", 0, "b", 0);
        assertThat(table.choose(HttpFields.build())).isNull();
        assertThat(table.choose(HttpFields.build().add("X-Gantry-Version", "b")).version).isEqualTo("b");
        assertThat(table(/* none */).choose(HttpFields.build())).isNull();
    }

    @Test
    void roundRobinOverBackends() {
        TreeMap<String, RouterState.Version> versions = new TreeMap<>();
        versions.put("a", new RouterState.Version(100, List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3")));
        Route route = RoutingTable.of(new RouterState(1, versions), new SampleStore(10), null).route("a");
        Map<Integer, Integer> ports = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            ports.merge(route.nextBackend().port(), 1, Integer::sum);
        }
        assertThat(ports).containsOnly(Map.entry(1, 100), Map.entry(2, 100), Map.entry(3, 100));
    }
}
