package dev.gantry.server.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The JSON Schema of pipeline.yaml (draft 2020-12) that editors use; docs/pipeline.schema.json is the same file. */
public final class PipelineSchema {
    static final String RESOURCE = "/dev/gantry/server/pipeline/pipeline.schema.json";

    private final byte[] json;

    public PipelineSchema() {
        try (InputStream in = PipelineSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the pipeline schema " + RESOURCE + " is missing from the classpath");
            }
            this.json = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE + " failed", e);
        }
    }

    public byte[] json() {
        return json.clone();
    }
}
