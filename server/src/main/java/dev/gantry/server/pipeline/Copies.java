package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Immutable copies that keep the order the file wrote them in (Map.copyOf would not), so JSON reads like the YAML. */
final class Copies {
    private Copies() {
    }

    static <V> Map<String, V> map(Map<String, V> map, String name) {
        requireNonNull(map, name + " is null");
        map.forEach((key, value) -> {
            requireNonNull(key, name + " has a null key");
            requireNonNull(value, name + " has a null value");
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** For free-form values, where null is a legitimate JSON value. */
    static Map<String, Object> mapAllowingNulls(Map<String, Object> map, String name) {
        requireNonNull(map, name + " is null");
        map.keySet().forEach(key -> requireNonNull(key, name + " has a null key"));
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    static List<Object> listAllowingNulls(List<Object> list) {
        return Collections.unmodifiableList(new ArrayList<>(list));
    }
}
