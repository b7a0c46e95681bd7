package dev.gantry.server.deploy;

import dev.gantry.server.auth.Public;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import dev.gantry.server.secrets.SecretService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /api/webhooks/health}: an outside monitor (an alert manager, a synthetic check) reports that a service
 * is unhealthy in an environment, and the deploy in progress there rolls back at once. No token: the body is signed
 * with HMAC-SHA256 under the global secret {@value #SECRET} ({@code X-Gantry-Signature-256: sha256=<hex>}).
 */
@Path("/api/webhooks/health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthWebhookResource {
    static final String SECRET = "health-webhook";
    private static final int MAX_BODY = 64 * 1024;

    private final SecretService secrets;
    private final DeployService deploys;

    @Inject
    public HealthWebhookResource(SecretService secrets, DeployService deploys) {
        this.secrets = secrets;
        this.deploys = deploys;
    }

    /** {@code status}: {@code unhealthy} (or {@code firing}) rolls back; {@code healthy} (or {@code resolved}) changes nothing. */
    public record HealthReport(String service, String environment, String status, Optional<String> reason) {
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Public
    public Response report(@HeaderParam("X-Gantry-Signature-256") String signature, InputStream body) {
        byte[] bytes = read(body);
        // not set up is the server's state, not the caller's mistake: 409, so a monitor's owner sees what to ask for
        String secret = secrets.reveal("global", SECRET).orElseThrow(() -> new ApiException(409, "not_configured",
                "the health webhook is off: no secret is set; an admin sets one with PUT /api/secrets (scope global, name "
                        + SECRET + ")"));
        if (signature == null || !signature.startsWith("sha256=")
                || !MessageDigest.isEqual(signature.getBytes(StandardCharsets.US_ASCII), expected(secret, bytes))) {
            throw new ApiException(401, "invalid_signature", "the X-Gantry-Signature-256 header must be sha256=<hex HMAC-SHA256 "
                    + "of the body under the " + SECRET + " secret>; it is " + (signature == null ? "missing" : "wrong"));
        }
        HealthReport report;
        try {
            report = Json.mapper().readValue(bytes, HealthReport.class);
        } catch (IOException e) {
            throw ApiException.badRequest("the body must be {\"service\", \"environment\", \"status\": \"unhealthy\" | \"healthy\", "
                    + "\"reason\"}: " + e.getMessage());
        }
        if (report.service() == null || report.environment() == null || report.status() == null) {
            throw ApiException.missingField(report.service() == null ? "service" : report.environment() == null ? "environment" : "status");
        }
        return switch (report.status()) {
            case "healthy", "resolved" -> Response.ok(Map.of("action", "none")).build();
            case "unhealthy", "firing" -> Response.status(Response.Status.ACCEPTED).entity(deploys.rollBackOnAlert(
                    report.service(), report.environment(), report.reason().orElse("the health webhook reported it unhealthy"))).build();
            default -> throw ApiException.badRequest("status is 'unhealthy' (or 'firing') or 'healthy' (or 'resolved'), not '"
                    + report.status() + "'");
        };
    }

    private static byte[] expected(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return ("sha256=" + HexFormat.of().formatHex(mac.doFinal(body))).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static byte[] read(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new ApiException(413, "too_large", "a health report is at most 64 KiB");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the health report failed", e);
        }
    }
}
