package dev.gantry.server.pipeline;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.gantry.server.http.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** The published schema, the docs' examples and the parser agree, so none of them drifts from the others unnoticed. */
class TestPipelineSchema {
    private static final Path ROOT = Path.of(System.getProperty("gantry.repository.root", ".."));
    private static final Pattern YAML_BLOCK = Pattern.compile("(?m)^```yaml\\n(.*?)^```$", Pattern.DOTALL);
    private static final Path CORPUS = ROOT.resolve("server/src/test/resources/dev/gantry/server/pipeline/"
            + "PipelineParserFuzzTestInputs/parsesAnyInputWithoutCrashingOrHanging");

    /** Files the parser rejects for a rule the schema can express too. */
    private static final List<String> INVALID = List.of(
            "stages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 2\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\n",
            "version: 1\nstages: []\n",
            "version: 1\nstages: [{name: Build, steps: [{name: b, run: c}]}]\n",
            "version: 1\nstages: [{name: a, steps: []}]\n",
            "version: 1\nstages: [{name: a, kind: deploy, steps: [{name: b, run: c}]}]\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c, timout: 5m}]}]\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c, timeout: 90x}]}]\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c, timeout: 30}]}]\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: \"  \"}]}]\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: []}]}]\n",
            "version: 1\nenv: {PORT: 8080}\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nenv: {1X: a}\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nsecrets: NPM_TOKEN\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\ncancel_superseded: yes\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nbuilder: docker\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nimage: busybox\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nlimits: {memory: 2GB}\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nlimits: {cpus: 0}\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\ndependencies: {run: npm ci}\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\ndependencies: {lock_files: [../x], run: npm ci}\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\ndependencies: {lock_files: [/x], run: npm ci}\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nstages: [{name: a, when: {branches: []}, steps: [{name: b, run: c}]}]\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\nartifact: {}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {instances: 2}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: Shop}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, instances: 0}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, health_path: healthz}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, strategy: {type: linear}}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, strategy: {batch_size: 2}}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, strategy: {type: rolling, hold: 5m}}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, strategy: {type: blue_green, steps: [{weight: 100}]}}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, strategy: {type: rolling, batch_size: 200%}}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, strategy: {steps: [{weight: 0}, {weight: 100}]}}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, approvals: {production: {required: 6}}}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, auto_deploy: [Staging]}\n",
            "version: 1\nagent_labels: [GPU]\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nagent_labels: [gpu, gpu]\nstages: [{name: a, steps: [{name: b, run: c}]}]\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, environments: {prod: {replicas: 2}}}\n",
            "version: 1\nstages: [{name: a, steps: [{name: b, run: c}]}]\ndeploy: {service: shop, environments: {prod: {config: [a]}}}\n");

    @Test
    void theSchemaInTheDocsIsTheOneTheServerServes() throws IOException {
        byte[] served = new PipelineSchema().json();

        assertThat(Files.readAllBytes(ROOT.resolve("docs/pipeline.schema.json"))).isEqualTo(served);
        assertThat(Files.readAllBytes(ROOT.resolve("server/src/main/resources/dev/gantry/server/pipeline/pipeline.schema.json")))
                .isEqualTo(served);
    }

    @Test
    void everyExampleInTheDocsIsAValidPipeline() throws IOException {
        List<String> examples = docExamples();
        assertThat(examples).hasSizeGreaterThanOrEqualTo(5);

        List<String> failures = new ArrayList<>();
        for (String example : examples) {
            try {
                PipelineParser.parse(example.getBytes(UTF_8));
            } catch (PipelineException e) {
                failures.add(e.getMessage() + "\n" + example);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void theSchemaAcceptsEveryValidExample() throws IOException {
        List<String> valid = new ArrayList<>(docExamples());
        valid.add(TestPipelineParser.FULL);
        try (Stream<Path> seeds = Files.list(CORPUS)) {
            for (Path seed : seeds.filter(path -> path.getFileName().toString().startsWith("valid-")).toList()) {
                valid.add(Files.readString(seed));
            }
        }

        Schema schema = schema();
        for (String example : valid) {
            PipelineParser.parse(example.getBytes(UTF_8));
            assertThat(schema.validate(asJson(example), InputFormat.JSON)).as("schema errors for\n%s", example).isEmpty();
        }
    }

    @Test
    void theSchemaRejectsWhatTheParserRejects() {
        Schema schema = schema();
        for (String invalid : INVALID) {
            List<PipelineProblem> problems = TestPipelineParser.problems(invalid);
            List<Error> errors = schema.validate(asJson(invalid), InputFormat.JSON);
            assertThat(errors).as("the parser reports %s for\n%s\nbut the schema accepts it", problems, invalid).isNotEmpty();
        }
    }

    private static List<String> docExamples() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/pipeline.md"));
        List<String> examples = new ArrayList<>();
        Matcher block = YAML_BLOCK.matcher(doc);
        while (block.find()) {
            examples.add(block.group(1));
        }
        return examples;
    }

    private static Schema schema() {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(new String(new PipelineSchema().json(), UTF_8), InputFormat.JSON);
    }

    /** The YAML as JSON, read as YAML 1.2 (aliases and merge keys resolved), as an editor's language server reads it. */
    private static String asJson(String yaml) {
        Object document = new Load(LoadSettings.builder().setSchema(new CoreSchema()).build()).loadFromString(yaml);
        return Json.write(document);
    }
}
