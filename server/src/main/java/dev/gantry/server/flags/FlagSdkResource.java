package dev.gantry.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.IdentityService;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.auth.SdkClient;
import dev.gantry.server.auth.SdkTokenAllowed;
import dev.gantry.server.auth.SdkTokenRepresentation;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** {@code /api/flags}: what applications' SDKs call (the stream, exposure reports), and the SDK tokens they call with. */
@Path("/api/flags")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FlagSdkResource {
    private final FlagStreams streams;
    private final FlagService flags;
    private final IdentityService identity;

    @Inject
    public FlagSdkResource(FlagStreams streams, FlagService flags, IdentityService identity) {
        this.streams = streams;
        this.flags = flags;
        this.identity = identity;
    }

    public record NewSdkToken(String environment, String name) {
    }

    /** The token itself appears in this response only. */
    public record CreatedSdkToken(String id, String token, String environment, String name, String prefix, Instant createdAt) {
    }

    public record SdkTokenList(List<SdkTokenRepresentation> sdkTokens) {
    }

    /**
     * The flags of one environment over server-sent events (docs/flags.md, "The stream"): a snapshot, or with
     * {@code Last-Event-ID} the events after it, then each change, and heartbeats. An SDK token reads only its own
     * environment.
     */
    @GET
    @Path("/stream")
    @Produces({MediaType.SERVER_SENT_EVENTS, MediaType.APPLICATION_JSON})
    @RequiresRole(Role.VIEWER)
    @SdkTokenAllowed
    public Response stream(@Context SecurityContext security, @QueryParam("environment") String environment,
                           @HeaderParam("Last-Event-ID") String lastEventId) {
        if (environment == null || environment.isBlank()) {
            throw new ApiException(400, "missing_field", "'environment' is required: GET /api/flags/stream?environment=<name>",
                    Map.of("field", "environment"));
        }
        if (!FlagValidation.ENVIRONMENT.matcher(environment).matches()) {
            throw new ApiException(400, "invalid_field", "environment: an environment's name is 1 to 63 lowercase letters, "
                    + "digits or '-'", Map.of("field", "environment"));
        }
        Optional<SdkClient> sdk = Authentication.sdkClient(security);
        sdk.filter(client -> !client.environment().equals(environment)).ifPresent(client -> {
            throw new ApiException(403, "forbidden", "this SDK token reads the flags of environment '" + client.environment()
                    + "' only, not '" + environment + "'", Map.of("token_environment", client.environment(), "environment", environment));
        });
        return Response.ok(streams.open(environment, sdk.map(SdkClient::tokenId), eventId(lastEventId)), MediaType.SERVER_SENT_EVENTS_TYPE)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    /** An id the client has not made up stays unknown: anything but a number means "send a snapshot". */
    private static OptionalLong eventId(String lastEventId) {
        if (lastEventId == null || !lastEventId.trim().matches("\\d{1,18}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(lastEventId.trim()));
    }

    /** An SDK's report of what it evaluated: {@code {environment, flags: [{key, variants: {on: n}, users}]}}. */
    @POST
    @Path("/exposures")
    @RequiresRole(Role.DEVELOPER)
    @SdkTokenAllowed
    public Response exposures(@Context SecurityContext security, JsonNode body) {
        FlagService.ExposureResult result = flags.recordExposures(body,
                Authentication.sdkClient(security).map(SdkClient::environment));
        return Response.accepted(result).build();
    }

    @GET
    @Path("/sdk-tokens")
    @RequiresRole(Role.ADMIN)
    public SdkTokenList sdkTokens(@QueryParam("environment") String environment) {
        return new SdkTokenList(identity.sdkTokens(Optional.ofNullable(environment).filter(name -> !name.isBlank())));
    }

    @POST
    @Path("/sdk-tokens")
    @RequiresRole(Role.ADMIN)
    public Response createSdkToken(@Context SecurityContext security, NewSdkToken body) {
        if (body == null || body.environment() == null) {
            throw ApiException.missingField("environment");
        }
        if (body.name() == null) {
            throw ApiException.missingField("name");
        }
        IdentityService.CreatedSdkToken created = identity.createSdkToken(Authentication.caller(security), body.environment(), body.name());
        SdkTokenRepresentation token = created.token();
        return Response.status(Response.Status.CREATED)
                .entity(new CreatedSdkToken(token.id(), created.secret(), token.environment(), token.name(), token.prefix(),
                        token.createdAt()))
                .build();
    }

    /** Deletes an SDK token: its next request gets 401 and the streams it holds open end, on every replica. */
    @DELETE
    @Path("/sdk-tokens/{id}")
    @RequiresRole(Role.ADMIN)
    public Response deleteSdkToken(@Context SecurityContext security, @PathParam("id") String id) {
        identity.deleteSdkToken(Authentication.caller(security), id);
        streams.tokenDeleted(id);
        return Response.noContent().build();
    }
}
