package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast the UI shows its first meaningful content (run by scripts/bench-ui, not by the build): a real server with
 * data (flags, builds, a judged canary deploy), Debian's headless Chromium on loopback, signed in. Each load goes
 * through {@code about:blank}; "cold" clears the browser's cache first, "warm" keeps it. Per load the page's own
 * Performance API gives first contentful paint and the {@code gantry:meaningful:<page>} mark, which the UI sets once
 * the first frame showing the page's data is painted. Also the size of the shipped JavaScript, gzipped.
 */
class UiBench {
    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void firstMeaningfulPaint(@TempDir Path workDir) throws Exception {
        int loads = Integer.getInteger("gantry.ui.loads", 20);
        try (GantryProcess server = GantryProcess.start(workDir, Map.of())) {
            server.awaitReady(Duration.ofSeconds(120));
            String deployId = seed(server, workDir);
            measure(server, workDir, deployId, loads);
        } finally {
            DeployClient.killTargets(workDir);
        }
    }

    private static void measure(GantryProcess server, Path workDir, String deployId, int loads) throws Exception {
        try (Browser browser = Browser.open(server.url(), Files.createDirectories(workDir.resolve("profile")))) {
            browser.go("/");
            browser.click("button", "Sign in with an API token");
            browser.type("input[name=token]", GantryProcess.ADMIN_TOKEN);
            browser.click("button[type=submit]", "Sign in");
            browser.awaitText("h2", "Dashboard");
            for (String[] page : List.of(new String[] {"dashboard", "/"}, new String[] {"deploy", "/deploys/" + deployId})) {
                for (boolean cold : List.of(true, false)) {
                    List<double[]> samples = new ArrayList<>();
                    for (int i = 0; i < loads + 2; i++) {
                        double[] sample = load(browser, server.url(), page[1], page[0], cold);
                        if (i >= 2) { // the first two warm the server's JIT and the browser
                            samples.add(sample);
                        }
                    }
                    print(page[0], cold ? "cold" : "warm", samples);
                System.out.println("ui   its last load's requests: " + browser.script("""
                        return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                          .map(e => e.name.replace(location.origin, '') + ' ' + Math.round(e.startTime) + '+'
                            + Math.round(e.duration) + ' ms').join(', ')"""));
                }
            }
        }
        byte[] script = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.url().resolve("/app.js")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        System.out.printf("ui javascript app.js: %d bytes, %d bytes gzipped (level 9)%n", script.length, gzipped(script));
    }

    /** One load of {@code path}: {first contentful paint, meaningful paint} in ms from the navigation's start. */
    private static double[] load(Browser browser, URI base, String path, String page, boolean cold) {
        browser.driver().get("about:blank");
        if (cold) {
            ((org.openqa.selenium.chromium.ChromiumDriver) browser.driver()).executeCdpCommand("Network.clearBrowserCache", Map.of());
        }
        browser.driver().get(base.resolve("/") + "#" + path);
        String mark = "gantry:meaningful:" + page;
        Object meaningful = browser.until("the mark " + mark, d -> browser.script(
                "const m = performance.getEntriesByName(arguments[0]); return m.length ? m[0].startTime : null", mark));
        Object paint = browser.until("the first contentful paint", d -> browser.script(
                "const p = performance.getEntriesByName('first-contentful-paint'); return p.length ? p[0].startTime : null"));
        return new double[] {((Number) paint).doubleValue(), ((Number) meaningful).doubleValue()};
    }

    private static void print(String page, String cache, List<double[]> samples) {
        double[] fcp = samples.stream().mapToDouble(s -> s[0]).sorted().toArray();
        double[] fmp = samples.stream().mapToDouble(s -> s[1]).sorted().toArray();
        System.out.printf("ui %-9s %s cache, %d loads: first contentful paint p50 %.0f ms p90 %.0f ms max %.0f ms; "
                        + "meaningful paint p50 %.0f ms p90 %.0f ms max %.0f ms%n", page, cache, samples.size(),
                quantile(fcp, 0.5), quantile(fcp, 0.9), fcp[fcp.length - 1], quantile(fmp, 0.5), quantile(fmp, 0.9), fmp[fmp.length - 1]);
    }

    private static double quantile(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    private static int gzipped(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gzip.write(bytes);
        }
        return out.size();
    }

    /** What a team's dashboard holds: 30 flags, two passed builds, and a canary deploy judged against its baseline. */
    private static String seed(GantryProcess server, Path workDir) throws Exception {
        Api api = new Api(server.url());
        for (int i = 0; i < 30; i++) {
            Api.Reply flag = api.post("/api/feature-flags", GantryProcess.ADMIN_TOKEN,
                    "{\"name\": \"flag-" + i + "\", \"rollout_percentage\": " + (i * 3) + ", \"target_users\": [\"u-" + i + "\"]}");
            assertThat(flag.status()).as(flag.body()).isEqualTo(201);
        }
        BuildClient builds = new BuildClient(api);
        GitRepo repo = builds.register(workDir, "storefront", "");
        for (int i = 0; i < 2; i++) {
            String sha = repo.commit("main", "build " + i, Map.of("pipeline.yaml",
                    "version: 1\nstages: [{name: build, steps: [{name: talk, run: 'seq 1 200'}]}]\n"));
            builds.awaitFinished(builds.start("storefront", sha, "main"));
        }
        DeployClient deploys = new DeployClient(api);
        int routerPort = GantryProcess.freePort();
        deploys.environment("production", routerPort, """
                , "health_timeout": "20s", "bake": "3s", "max_error_rate": 0.5,
                 "analysis": {"interval": "2s", "extension": "10s", "alpha": 0.05, "soak": false}""");
        deploys.service("""
                {"service": "shop", "instances": 1, "health_path": "/healthz",
                 "strategy": {"type": "canary", "steps": [{"weight": 50, "hold": "8s"}, {"weight": 100}]}}""");
        deploys.await(deploys.start("shop", deploys.upload(workDir, "v1", Map.of()), "production"),
                Duration.ofSeconds(120), "succeeded");
        try (DeployClient.Traffic traffic = new DeployClient.Traffic(routerPort, 3)) {
            String second = deploys.start("shop", deploys.upload(workDir, "v2", Map.of()), "production");
            JsonNode done = deploys.await(second, Duration.ofSeconds(120), "succeeded", "failed", "rolled_back");
            assertThat(done.get("status").asText()).isEqualTo("succeeded");
            return second;
        }
    }
}
