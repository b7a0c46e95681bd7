package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.sdk.GantryFlags;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The web UI in a real headless Chromium against the distribution: signing in (first with the admin token, then
 * with a password), a pushed commit's log arriving live, a deploy approved by a second person after its initiator is
 * refused, its canary judged and promoted on the page, a rollback, a flag switched on and killed while a real SDK
 * watches, and a plugin uploaded and disabled. Each step saves a screenshot into target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class WebUiIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final String PASSWORD = "correct horse battery";
    private static final String WEBHOOK_SECRET = "ui-webhook-secret-0123456789";
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(120);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path workDir;
    private GantryProcess server;
    private Api api;
    private DeployClient deploys;
    private DeployClient.Traffic traffic;
    private Browser browser;
    private String aliceToken;
    private String v1;
    private String promotedDeploy;

    @BeforeAll
    void start() throws Exception {
        server = GantryProcess.start(workDir, Map.of());
        server.awaitReady(Duration.ofSeconds(120));
        api = new Api(server.url());
        deploys = new DeployClient(api);
        aliceToken = user("alice", "deployer");
        user("bob", "deployer");
        int routerPort = GantryProcess.freePort();
        // every deploy needs one approval from someone other than its initiator; canaries are judged statistically
        deploys.environment("production", routerPort, """
                , "approvals": 1, "health_timeout": "20s", "bake": "3s", "max_error_rate": 0.5,
                 "analysis": {"interval": "2s", "extension": "10s", "alpha": 0.05, "soak": false}""");
        deploys.service("""
                {"service": "shop", "instances": 1, "health_path": "/healthz",
                 "strategy": {"type": "canary", "steps": [{"weight": 50, "hold": "8s"}, {"weight": 100}]}}""");
        v1 = deploys.upload(workDir, "v1", Map.of("HELLO_DELAY_MS", "5"));
        String first = deploys.start("shop", v1, "production");
        deploys.await(first, DEPLOY_TIMEOUT, "awaiting_approval");
        Api.Reply approved = api.post("/api/deploys/" + first + "/approve", aliceToken, "{}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        JsonNode done = deploys.await(first, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
        assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
        traffic = new DeployClient.Traffic(routerPort, 3);
        browser = Browser.open(server.url(), Files.createDirectories(workDir.resolve("chromium-profile")));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (browser != null) {
            browser.close();
        }
        if (traffic != null) {
            traffic.close();
        }
        if (server != null) {
            server.close();
        }
        DeployClient.killTargets(workDir);
    }

    @Test
    @Order(1)
    void aNewAdminSignsInWithTheTokenSetsAPasswordAndSignsInWithIt() {
        browser.go("/");
        browser.find("form[aria-label='Sign in']");
        browser.screenshot("01-sign-in");
        browser.click("button", "Sign in with an API token");
        browser.type("input[name=token]", ADMIN);
        browser.click("button[type=submit]", "Sign in");
        browser.awaitText("[data-testid=signed-in-user]", "admin");
        browser.awaitText("h2", "Dashboard");

        browser.go("/account");
        browser.awaitText("form[aria-label=Password] h3", "Set a password");
        browser.type("input[name=new_password]", PASSWORD);
        browser.type("input[name=repeat]", PASSWORD);
        browser.click("button[type=submit]", "Save password");
        browser.awaitText("[role=status]", "Password saved");
        browser.click("button", "Sign out");

        signIn("admin", "not the password");
        browser.awaitText("[role=alert]", "name or password");
        browser.screenshot("02-wrong-password");
        signIn("admin", PASSWORD);
        browser.awaitText("[data-testid=signed-in-user]", "admin");
        browser.screenshot("03-dashboard");
    }

    @Test
    @Order(2)
    void aPushedCommitsLogArrivesLiveWithItsColours() throws Exception {
        BuildClient builds = new BuildClient(api);
        GitRepo repo = builds.register(workDir, "storefront",
                ",\"provider\":\"github\",\"webhook_secret\":\"" + WEBHOOK_SECRET + "\"");
        String sha = repo.commit("main", "chatty build", Map.of("pipeline.yaml", """
                version: 1
                stages:
                  - name: build
                    steps:
                      - name: talk
                        run: for i in 1 2 3 4 5; do printf '\\033[32mgreen-%s\\033[0m plain\\n' $i; sleep 0.4; done; echo last-line
                """));
        Api.Reply delivery = builds.push("storefront", repo, "main", sha, UUID.randomUUID().toString(), WEBHOOK_SECRET);
        assertThat(delivery.status()).as(delivery.body()).isEqualTo(202);
        String buildId = delivery.json().get("build_id").asText();

        browser.go("/builds/" + buildId);
        browser.awaitText("h2", "storefront");
        browser.awaitText("[data-testid=build-log]", "green-1", Duration.ofSeconds(60));
        assertThat(browser.find("[data-testid=log-state]").getText()).isIn("live", "finished");
        browser.screenshot("04-build-log-live");
        browser.awaitText("[data-testid=build-log]", "last-line", Duration.ofSeconds(60));
        browser.awaitText("[data-testid=log-state]", "finished", Duration.ofSeconds(60));
        WebElement green = browser.findWithText("[data-testid=build-log] .fg2", "green-5");
        assertThat(green.getText()).isEqualTo("green-5");
        browser.awaitText("h2", "passed");
        browser.screenshot("05-build-passed");
    }

    @Test
    @Order(3)
    void theInitiatorIsRefusedASecondPersonApprovesAndTheCanaryIsPromoted() throws Exception {
        String v2 = deploys.upload(workDir, "v2", Map.of("HELLO_DELAY_MS", "5"));
        Api.Reply started = api.post("/api/deploys", aliceToken,
                "{\"service\": \"shop\", \"artifact_sha\": \"" + v2 + "\", \"environment\": \"production\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        promotedDeploy = started.json().get("deploy_id").asText();
        deploys.await(promotedDeploy, DEPLOY_TIMEOUT, "awaiting_approval");

        signOut();
        signIn("alice", PASSWORD);
        browser.go("/deploys/" + promotedDeploy);
        browser.awaitText("h2", "awaiting approval");
        browser.find("[data-testid=approve]").click();
        browser.awaitText("[data-testid=deploy-actions] [role=alert]", "approve");
        assertThat(deploys.get(promotedDeploy).get("status").asText()).isEqualTo("awaiting_approval");
        browser.screenshot("06-initiator-refused");

        signOut();
        signIn("bob", PASSWORD);
        browser.go("/approvals");
        WebElement waiting = browser.findWithText("[data-testid=approval]", "shop");
        waiting.findElement(By.xpath(".//button[normalize-space()='Approve']")).click();
        browser.awaitText("main", "Nothing waits for an approval");

        browser.go("/deploys/" + promotedDeploy);
        browser.awaitText("[data-testid=analysis-step]", "canary vs baseline", Duration.ofSeconds(60));
        browser.find("[data-testid=analysis-step] svg.chart");
        browser.screenshot("07-canary-analysis");
        browser.awaitText("h2", "succeeded", DEPLOY_TIMEOUT);
        browser.awaitText("[data-testid=analysis-step]", "promote");
        JsonNode promoted = deploys.get(promotedDeploy);
        assertThat(promoted.get("approvals").get(0).get("user").asText()).isEqualTo("bob");
        browser.screenshot("08-canary-promoted");
    }

    @Test
    @Order(4)
    void aRollbackAsksForConfirmationAndPutsThePreviousReleaseBack() throws Exception {
        browser.go("/deploys/" + promotedDeploy);
        browser.awaitText("h2", "succeeded");
        browser.find("[data-testid=rollback]").click();
        browser.acceptDialog("checkout errors");
        String rollbackId = browser.until("the page of the rollback deploy", d -> {
            String url = d.getCurrentUrl();
            return url.contains("#/deploys/") && !url.endsWith(promotedDeploy) ? url.substring(url.lastIndexOf('/') + 1) : null;
        });
        browser.awaitText("h2", "succeeded", DEPLOY_TIMEOUT);
        JsonNode rollback = deploys.get(rollbackId);
        assertThat(rollback.get("kind").asText()).isEqualTo("rollback");
        assertThat(rollback.get("release").get("artifact_sha").asText()).isEqualTo(v1);
        long now = System.nanoTime();
        Thread.sleep(500);
        assertThat(traffic.since(now)).isNotEmpty().allMatch(hit -> hit.body().equals("hello from v1"));
        browser.screenshot("09-rolled-back");
    }

    @Test
    @Order(5)
    void aFlagSwitchedOnInThePageReachesAnSdkAndTheKillSwitchTurnsItOff() throws Exception {
        Api.Reply sdkToken = api.post("/api/flags/sdk-tokens", ADMIN, "{\"environment\": \"production\", \"name\": \"ui-test\"}");
        assertThat(sdkToken.status()).as(sdkToken.body()).isEqualTo(201);
        try (GantryFlags sdk = GantryFlags.builder(server.url().toString(), sdkToken.json().get("token").asText(), "production")
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build()) {
            browser.go("/flags");
            browser.type("form[aria-label='New flag'] input[name=key]", "one-page-checkout");
            browser.type("form[aria-label='New flag'] input[name=owner]", "team-payments");
            browser.click("form[aria-label='New flag'] button", "Create");
            browser.awaitText("h2", "one-page-checkout");

            // a flag made from the page starts on in production with a 0 % rollout: nobody gets it yet
            assertThat(browser.find("[data-testid=flag-enabled]").isSelected()).isTrue();
            WebElement slider = browser.find("[data-testid=rollout-slider]");
            browser.script("arguments[0].value = 100; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", slider);
            browser.awaitText("[data-testid=rollout-value]", "100 %");
            browser.find("[data-testid=save-flag]").click();
            browser.awaitText("[role=status]", "Saved");
            browser.screenshot("10-flag-on");
            awaitSdk(sdk, true);
            JsonNode stored = api.get("/api/feature-flags/one-page-checkout", ADMIN).json();
            assertThat(stored.at("/environments/production/rules/0/rollout").asDouble()).isEqualTo(100.0);

            browser.find("[data-testid=kill-switch]").click();
            browser.acceptDialog(null);
            awaitSdk(sdk, false);
            browser.awaitText("label.switch", "Off");
            browser.screenshot("11-flag-killed");

            browser.find("[data-testid=flag-enabled]").click();
            browser.find("[data-testid=save-flag]").click();
            browser.awaitText("[role=status]", "Saved");
            awaitSdk(sdk, true);
        }
    }

    @Test
    @Order(6)
    void anAdminUploadsAPluginAndDisablesIt() throws Exception {
        byte[] zip = TestPlugins.plugin("ui-notifier").extension("test.ui.UiNotifier", """
                package test.ui;

                public class UiNotifier implements dev.gantry.plugin.api.notify.Notifier {
                    public void send(dev.gantry.plugin.api.notify.Notification notification) {
                    }
                }
                """).zip();
        Path file = Files.write(workDir.resolve("ui-notifier-1.0.0.zip"), zip);
        signOut();
        signIn("admin", PASSWORD);
        browser.awaitText("[data-testid=signed-in-user]", "admin");
        browser.go("/plugins");
        browser.find("[data-testid=plugin-zip]").sendKeys(file.toAbsolutePath().toString());
        browser.click("button[type=submit]", "Upload and install");
        browser.awaitText("[role=status]", "Installed ui-notifier");
        browser.awaitText("[data-testid=plugin-ui-notifier]", "started");
        browser.awaitText("[data-testid=plugin-ui-notifier]", "UiNotifier");
        browser.screenshot("12-plugin-installed");

        browser.find("[data-testid=plugin-ui-notifier]").findElement(By.xpath(".//button[normalize-space()='Disable']")).click();
        browser.acceptDialog(null);
        browser.awaitText("[data-testid=plugin-ui-notifier]", "disabled");
        assertThat(api.get("/api/plugins/ui-notifier", ADMIN).json().get("enabled").asBoolean()).isFalse();

        // the audit log shows who did it, filtered by action
        browser.go("/audit");
        browser.type("form.filters input[name=action]", "plugin.disable");
        browser.click("form.filters button", "Filter");
        String filtered = browser.until("the audit log filtered to plugin.disable", d -> {
            String text = browser.find("table.audit tbody").getText();
            return text.contains("plugin:ui-notifier") && !text.contains("plugin.install") ? text : null;
        });
        assertThat(filtered).contains("admin plugin.disable plugin:ui-notifier");
        browser.screenshot("13-audit");
    }

    @Test
    @Order(7)
    void thePagesWorkAtPhoneWidthAndAViewerIsKeptOutOfAdminPages() {
        user("vera", "viewer");
        signOut();
        signIn("vera", PASSWORD);
        browser.windowSize(390, 844);
        browser.go("/");
        browser.awaitText("h2", "Dashboard");
        browser.find(".menu-toggle").click();
        assertThat(browser.find("#nav").getText()).contains("Deploys", "Flags").doesNotContain("Plugins", "Audit");
        browser.screenshot("14-phone-dashboard");
        assertThat(horizontalOverflow()).as("the dashboard is no wider than the phone").isLessThanOrEqualTo(0L);
        browser.go("/plugins");
        browser.awaitText("main", "This page needs the admin role");
        browser.go("/deploys/" + promotedDeploy);
        browser.awaitText("h2", "shop");
        assertThat(browser.present("[data-testid=deploy-actions]")).as("a viewer gets no deploy actions").isFalse();
        browser.screenshot("15-phone-deploy");
        assertThat(horizontalOverflow()).as("the deploy page is no wider than the phone").isLessThanOrEqualTo(0L);
        browser.windowSize(1280, 1000);
    }

    private long horizontalOverflow() {
        return (Long) browser.script("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    }

    private void signIn(String name, String password) {
        browser.go("/");
        browser.find("form[aria-label='Sign in']");
        if (browser.present("input[name=token]")) {
            browser.click("button", "Sign in with a password instead");
        }
        browser.type("input[name=name]", name);
        browser.type("input[name=password]", password);
        browser.click("button[type=submit]", "Sign in");
    }

    private void signOut() {
        browser.click("button", "Sign out");
        browser.find("form[aria-label='Sign in']");
    }

    /** A user with a password (set by the admin), and an API token of theirs. */
    private String user(String name, String role) {
        Api.Reply created = api.post("/api/users", ADMIN, "{\"name\": \"" + name + "\", \"role\": \"" + role + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asText();
        Api.Reply password = api.method("PUT", "/api/users/" + id + "/password", ADMIN, "{\"new_password\": \"" + PASSWORD + "\"}");
        assertThat(password.status()).as(password.body()).isEqualTo(200);
        Api.Reply token = api.post("/api/tokens", ADMIN, "{\"name\": \"api\", \"user_id\": \"" + id + "\"}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        return token.json().get("token").asText();
    }

    private static void awaitSdk(GantryFlags sdk, boolean enabled) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (sdk.isEnabled("one-page-checkout", dev.gantry.sdk.FlagContext.of("user-7"), !enabled) != enabled) {
            assertThat(System.nanoTime()).as("the SDK never saw the flag " + (enabled ? "on" : "off")).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
