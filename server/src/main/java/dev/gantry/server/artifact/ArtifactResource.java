package dev.gantry.server.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.plugin.api.artifact.CorruptArtifactException;
import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.Public;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.config.ServerConfig;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@Path("/api/artifacts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ArtifactResource {
    /** Bytes read ahead of what is sent: the last chunk of a blob goes out only after its digest is checked. */
    private static final int CHUNK = 1 << 20;

    private final ArtifactService artifacts;
    private final ArtifactRetention retention;
    private final DownloadSigner signer;
    private final ServerConfig server;
    private final Clock clock;

    @Inject
    public ArtifactResource(ArtifactService artifacts, ArtifactRetention retention, DownloadSigner signer,
                            ServerConfig server, Clock clock) {
        this.artifacts = artifacts;
        this.retention = retention;
        this.signer = signer;
        this.server = server;
        this.clock = clock;
    }

    public record ArtifactList(List<ArtifactRepresentation> artifacts) {
    }

    public record PinRequest(String reason) {
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public ArtifactList list(@Context UriInfo uri, @QueryParam("service") String service, @QueryParam("build_id") String buildId,
                             @QueryParam("commit_sha") String commitSha, @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new ApiException(400, "invalid_field", "limit is between 1 and 1000", Map.of("field", "limit"));
        }
        return new ArtifactList(artifacts.list(Optional.ofNullable(service), Optional.ofNullable(buildId),
                Optional.ofNullable(commitSha), limit));
    }

    @GET
    @Path("/{sha}")
    @RequiresRole(Role.VIEWER)
    public ArtifactRepresentation get(@Context UriInfo uri, @PathParam("sha") String sha) {
        return artifacts.get(ArtifactDigest.parse(sha), baseUri(uri));
    }

    /**
     * Stores the body under {@code sha}: 201 when stored, 200 when the identical artifact was already there, 422
     * when the bytes hash to anything else. Provenance comes as query parameters.
     */
    @PUT
    @Path("/{sha}")
    @Consumes({MediaType.APPLICATION_OCTET_STREAM, MediaType.WILDCARD})
    @RequiresRole(Role.DEVELOPER)
    public Response put(@Context SecurityContext security, @Context UriInfo uri, @Context HttpHeaders headers,
                        @PathParam("sha") String sha, @QueryParam("build_id") String buildId,
                        @QueryParam("commit_sha") String commitSha, @QueryParam("service") String service, InputStream body) {
        ArtifactDigest digest = ArtifactDigest.parse(sha);
        ArtifactService.Provenance provenance = new ArtifactService.Provenance(Optional.ofNullable(buildId),
                Optional.ofNullable(commitSha), Optional.ofNullable(service));
        long length = contentLength(headers);
        if (length == 0) {
            throw new ApiException(400, "empty_body", "the request body is empty; send the artifact's bytes");
        }
        ArtifactService.Stored stored = artifacts.store(Authentication.caller(security), digest, body, length, provenance);
        return Response.status(stored.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(artifacts.get(digest, baseUri(uri)))
                .build();
    }

    @GET
    @Path("/{sha}/blob")
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    @RequiresRole(Role.VIEWER)
    public Response blob(@PathParam("sha") String sha) {
        return stream(artifacts.open(ArtifactDigest.parse(sha)));
    }

    /** The bytes for whoever holds an unexpired URL the server signed (deploy and build agents, Docker targets). */
    @GET
    @Path("/{sha}/download")
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    @Public
    public Response download(@PathParam("sha") String sha, @QueryParam("expires") Long expires,
                             @QueryParam("signature") String signature) {
        ArtifactDigest digest = ArtifactDigest.parse(sha);
        if (expires == null || signature == null || !signer.verify(digest, expires, signature)) {
            throw new ApiException(403, "invalid_signature", "this download URL is not signed by Gantry; ask for a fresh one "
                    + "with GET /api/artifacts/" + digest);
        }
        if (clock.instant().getEpochSecond() > expires) {
            throw new ApiException(403, "url_expired", "this download URL has expired; ask for a fresh one with GET /api/artifacts/" + digest);
        }
        return stream(artifacts.open(digest));
    }

    /**
     * Which of the digests in {@code {"digests": [...]}} the server does not hold, as {@code {"missing": [...]}} in
     * the order asked, each once. Streamed in and out without a string per digest: a query may hold a hundred
     * thousand.
     */
    @POST
    @Path("/missing")
    @RequiresRole(Role.VIEWER)
    public Response missing(@Context HttpHeaders headers, InputStream body) throws IOException {
        DigestList missing = artifacts.missing(MissingQueryJson.read(body, contentLength(headers)));
        StreamingOutput answer = output -> MissingQueryJson.writeMissing(missing, output);
        return Response.ok(answer, MediaType.APPLICATION_JSON_TYPE).build();
    }

    @PUT
    @Path("/{sha}/sbom")
    @RequiresRole(Role.DEVELOPER)
    public Response putSbom(@Context SecurityContext security, @PathParam("sha") String sha, JsonNode sbom) {
        artifacts.putSbom(Authentication.caller(security), ArtifactDigest.parse(sha), sbom);
        return Response.noContent().build();
    }

    @GET
    @Path("/{sha}/sbom")
    @RequiresRole(Role.VIEWER)
    public JsonNode sbom(@PathParam("sha") String sha) {
        return artifacts.sbom(ArtifactDigest.parse(sha));
    }

    @PUT
    @Path("/{sha}/pins/{owner}")
    @RequiresRole(Role.DEPLOYER)
    public ArtifactRepresentation pin(@Context SecurityContext security, @Context UriInfo uri, @PathParam("sha") String sha,
                                      @PathParam("owner") String owner, PinRequest request) {
        return artifacts.pin(Authentication.caller(security), ArtifactDigest.parse(sha), owner,
                Optional.ofNullable(request).map(PinRequest::reason), baseUri(uri));
    }

    @DELETE
    @Path("/{sha}/pins/{owner}")
    @RequiresRole(Role.DEPLOYER)
    public Response unpin(@Context SecurityContext security, @PathParam("sha") String sha, @PathParam("owner") String owner) {
        artifacts.unpin(Authentication.caller(security), ArtifactDigest.parse(sha), owner);
        return Response.noContent().build();
    }

    /** Runs the retention job now; {@code dry_run=true} lists what it would delete and deletes nothing. */
    @POST
    @Path("/gc")
    @RequiresRole(Role.ADMIN)
    public ArtifactRetention.Report gc(@Context SecurityContext security, @QueryParam("dry_run") @DefaultValue("false") boolean dryRun) {
        return retention.run(Authentication.caller(security), dryRun);
    }

    /**
     * The first chunk is read (and, for a blob that fits in it, fully checked) before the response starts, so a
     * corrupt small blob gets a 409; after that each chunk is sent only once the next one was read cleanly, so a
     * corrupt large blob ends the response short of its Content-Length and the client sees a failed transfer.
     */
    private static Response stream(ArtifactService.Blob blob) {
        InputStream in = blob.bytes();
        byte[] first = new byte[(int) Math.min(CHUNK, blob.sizeBytes())];
        int firstLength;
        try {
            firstLength = in.readNBytes(first, 0, first.length);
            if (blob.sizeBytes() <= CHUNK) {
                in.read(); // the end of the blob, where its digest is checked
            }
        } catch (CorruptArtifactException e) {
            close(in);
            throw ArtifactService.corrupt(blob.digest(), e.getMessage());
        } catch (IOException e) {
            close(in);
            throw new UncheckedIOException("reading " + blob.digest() + " failed", e);
        }
        StreamingOutput body = output -> {
            try (in) {
                byte[] held = first;
                int heldLength = firstLength;
                byte[] next = new byte[CHUNK];
                for (int read; (read = in.readNBytes(next, 0, next.length)) > 0; ) {
                    output.write(held, 0, heldLength);
                    byte[] swap = held;
                    held = next;
                    heldLength = read;
                    next = swap;
                }
                output.write(held, 0, heldLength);
            }
        };
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header(HttpHeaders.CONTENT_LENGTH, blob.sizeBytes())
                .header("ETag", "\"" + blob.digest() + "\"")
                .header("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(blob.digest().bytes()) + ":")
                .header("Cache-Control", "private, max-age=31536000, immutable")
                .build();
    }

    /** The announced length, or -1 (chunked); Jersey's own reading of it stops at 2 GiB. */
    private static long contentLength(HttpHeaders headers) {
        String value = headers.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    private URI baseUri(UriInfo uri) {
        return server.publicUrl().map(url -> URI.create(url.endsWith("/") ? url : url + "/")).orElse(uri.getBaseUri());
    }
}
