package dev.gantry.server.pipeline;

import dev.gantry.server.auth.Public;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** pipeline.yaml for people and editors: its JSON Schema, and a check of a file that names every problem's position. */
@Path("/api/pipeline")
@Produces(MediaType.APPLICATION_JSON)
public class PipelineResource {
    static final String SCHEMA_JSON = "application/schema+json";

    private final PipelineSchema schema;

    @Inject
    public PipelineResource(PipelineSchema schema) {
        this.schema = schema;
    }

    public record Validation(boolean valid, PipelineDefinition pipeline) {
    }

    @GET
    @Path("/schema")
    @Produces({SCHEMA_JSON, MediaType.APPLICATION_JSON})
    @Public
    public Response schema() {
        return Response.ok(schema.json()).header("Cache-Control", "public, max-age=300").build();
    }

    /**
     * 200 with the parsed pipeline (every default filled in) when the body is a valid pipeline.yaml; 422 listing every
     * problem with its line and column when it is not.
     */
    @POST
    @Path("/validate")
    @Consumes({"text/yaml", "application/yaml", MediaType.TEXT_PLAIN, MediaType.APPLICATION_OCTET_STREAM})
    @RequiresRole(Role.VIEWER)
    public Validation validate(InputStream body) throws IOException {
        // one byte past the limit is enough for the parser to say the file is too large
        byte[] yaml = body.readNBytes(PipelineParser.MAX_BYTES + 1);
        try {
            return new Validation(true, PipelineParser.parse(yaml));
        } catch (PipelineException e) {
            throw new ApiException(422, "invalid_pipeline", e.getMessage(), Map.of("problems", e.problems()));
        }
    }
}
