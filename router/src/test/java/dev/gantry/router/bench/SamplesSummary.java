package dev.gantry.router.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

/**
 * Reads a version's samples from a router's admin API and prints what the router itself measured
 * (scripts/bench-router): {@code SAMPLES count non200 p50 p90 p99 max} in ms.
 *
 * <pre>SamplesSummary ADMIN_PORT TOKEN VERSION FROM_MS TO_MS</pre>
 */
public final class SamplesSummary {
    private SamplesSummary() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + args[0] + "/admin/samples?version=" + args[2] + "&from=" + args[3] + "&to=" + args[4]);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + args[1]).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("samples: HTTP " + response.statusCode() + " " + response.body());
        }
        JsonNode samples = new ObjectMapper().readTree(response.body()).path("samples");
        double[] latencies = new double[samples.size()];
        int non200 = 0;
        for (int i = 0; i < samples.size(); i++) {
            latencies[i] = samples.get(i).get(1).asDouble();
            if (samples.get(i).get(2).asInt() != 200) {
                non200++;
            }
        }
        Arrays.sort(latencies);
        System.out.printf("SAMPLES %d %d %.3f %.3f %.3f %.3f%n", latencies.length, non200, at(latencies, 50), at(latencies, 90),
                at(latencies, 99), latencies.length == 0 ? 0 : latencies[latencies.length - 1]);
    }

    private static double at(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
