package dev.gantry.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Reads and checks a state document ({@code PUT /admin/state}, state.json), and writes one. */
final class StateCodec {
    static final Pattern VERSION_NAME = Pattern.compile("[A-Za-z0-9._~-]{1,100}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}]");
    private static final int MAX_BACKENDS = 1000;

    private StateCodec() {
    }

    static RouterState parse(JsonNode root) throws InvalidStateException {
        if (root == null || !root.isObject()) {
            throw new InvalidStateException("the state must be a JSON object {\"fence\": n, \"versions\": {...}}");
        }
        onlyFields(root, "", "fence", "versions");
        JsonNode fenceNode = root.get("fence");
        if (fenceNode == null || !fenceNode.isIntegralNumber() || !fenceNode.canConvertToLong() || fenceNode.asLong() < 0) {
            throw new InvalidStateException("fence must be an integer of at least 0" + got(fenceNode));
        }
        JsonNode versionsNode = root.get("versions");
        if (versionsNode == null || !versionsNode.isObject()) {
            throw new InvalidStateException("versions must be an object of version name to {\"weight\", \"backends\"}" + got(versionsNode));
        }
        TreeMap<String, RouterState.Version> versions = new TreeMap<>();
        int sum = 0;
        for (Map.Entry<String, JsonNode> entry : versionsNode.properties()) {
            String name = entry.getKey();
            if (!VERSION_NAME.matcher(name).matches()) {
                throw new InvalidStateException("version name \"" + abbreviate(name)
                        + "\" is not 1 to 100 of the characters A-Z a-z 0-9 . _ ~ -");
            }
            RouterState.Version version = parseVersion(name, entry.getValue());
            sum += version.weight();
            versions.put(name, version);
        }
        if (sum != 100 && sum != 0) {
            throw new InvalidStateException("the weights must add up to 100 (or all be 0), they add up to " + sum);
        }
        return new RouterState(fenceNode.asLong(), versions);
    }

    private static RouterState.Version parseVersion(String name, JsonNode node) throws InvalidStateException {
        String at = "versions." + name;
        if (!node.isObject()) {
            throw new InvalidStateException(at + " must be an object {\"weight\": 0..100, \"backends\": [\"host:port\", ...]}" + got(node));
        }
        onlyFields(node, at + ".", "weight", "backends");
        JsonNode weightNode = node.get("weight");
        if (weightNode == null || !weightNode.isIntegralNumber() || !weightNode.canConvertToInt()
                || weightNode.asInt() < 0 || weightNode.asInt() > 100) {
            throw new InvalidStateException(at + ".weight must be an integer from 0 to 100" + got(weightNode));
        }
        JsonNode backendsNode = node.get("backends");
        if (backendsNode == null || !backendsNode.isArray()) {
            throw new InvalidStateException(at + ".backends must be an array of \"host:port\" strings" + got(backendsNode));
        }
        if (backendsNode.size() > MAX_BACKENDS) {
            throw new InvalidStateException(at + ".backends has " + backendsNode.size() + " entries, at most " + MAX_BACKENDS + " are allowed");
        }
        List<String> backends = new ArrayList<>(backendsNode.size());
        for (int i = 0; i < backendsNode.size(); i++) {
            JsonNode backend = backendsNode.get(i);
            if (!backend.isTextual() || Backend.parse(backend.asText()) == null) {
                throw new InvalidStateException(at + ".backends[" + i + "] must be \"host:port\" (port 1..65535)" + got(backend));
            }
            backends.add(backend.asText());
        }
        return new RouterState.Version(weightNode.asInt(), backends);
    }

    private static void onlyFields(JsonNode node, String prefix, String... allowed) throws InvalidStateException {
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            String field = property.getKey();
            if (!List.of(allowed).contains(field)) {
                throw new InvalidStateException("unknown field " + prefix + abbreviate(field) + " (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    static boolean isHost(String host) {
        return HOST.matcher(host).matches();
    }

    static ObjectNode toJson(ObjectMapper mapper, RouterState state) {
        ObjectNode root = mapper.createObjectNode();
        root.put("fence", state.fence());
        ObjectNode versions = root.putObject("versions");
        state.versions().forEach((name, version) -> {
            ObjectNode v = versions.putObject(name);
            v.put("weight", version.weight());
            ArrayNode backends = v.putArray("backends");
            version.backends().forEach(backends::add);
        });
        return root;
    }

    private static String got(JsonNode node) {
        if (node == null) {
            return ", it is missing";
        }
        return ", got " + abbreviate(node.toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
