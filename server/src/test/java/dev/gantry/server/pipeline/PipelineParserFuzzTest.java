package dev.gantry.server.pipeline;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * No input may crash the parser (any exception but {@link PipelineException}) or keep it busy. A plain test run
 * replays the corpus in PipelineParserFuzzTestInputs/; scripts/fuzz-pipeline runs a fuzzing campaign that adds to it.
 */
class PipelineParserFuzzTest {
    /** Far more than any input needs (a 1 MiB file parses in well under a second), so only a hang trips it. */
    private static final Duration LIMIT = Duration.ofSeconds(2);

    private ExecutorService parser = newParserThread();

    static {
        // the first parses load (and, while fuzzing, instrument) the parser's classes, which can take longer than the
        // limit; a slow first input would otherwise look like a hang
        for (String warmUp : List.of(TestPipelineParser.FULL, "version: 1\nstages:\n\t- x\n", "a: [b", "- a\n- b\n", "",
                "version: 1\nx-a: &a {b: *a}\nstages: [{name: B, steps: [{nam: a, run: [1], timeout: 1h}]}]\n")) {
            parseAllowingInvalid(warmUp.getBytes(StandardCharsets.UTF_8));
        }
        parseAllowingInvalid(new byte[] {'a', ':', ' ', (byte) 0xFF, 0});
    }

    @FuzzTest(maxDuration = "5m")
    // tokens the fuzzer would take long to stumble on; libFuzzer dictionaries hold no line breaks or quotes
    @DictionaryEntries({"version: 1", "stages:", "steps:", "- name: ", "run: ", "timeout: ", "env: ", "builder: docker",
            "image: ", "secrets: [", "limits: {memory: ", "cpus: ", "processes: ", "dependencies:", "lock_files: [",
            "artifact: {path: ", "deploy:", "service: ", "instances: ", "health_path: /", "strategy: {type: ", "canary",
            "blue_green", "rolling", "batch_size: ", "hold: ", "weight: ", "approvals: {", "required: ", "auto_deploy: [",
            "depends_on: [", "environments: {", "config: {", "when: {branches: [", "kind: test", "cancel_superseded: true",
            "x-", "&a ", "*a", "<<: ", "!!str ", "!!int ", "!!binary ", "!tag ", "---", "...", "%YAML 1.2", "? ", ": |",
            ": >-", "1h30m", "512MiB", "25%", "0x1F", "0o17", ".inf", ".nan", "~", "null"})
    void parsesAnyInputWithoutCrashingOrHanging(byte[] yaml) throws Throwable {
        Future<?> parsing = parser.submit(() -> parseAllowingInvalid(yaml));
        try {
            parsing.get(LIMIT.toMillis(), MILLISECONDS);
        } catch (TimeoutException e) {
            parsing.cancel(true);
            // the stuck thread cannot be stopped; later inputs get a fresh one
            parser.shutdownNow();
            parser = newParserThread();
            throw new AssertionError("parsing " + yaml.length + " bytes did not finish within " + LIMIT.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    private static void parseAllowingInvalid(byte[] yaml) {
        try {
            PipelineParser.parse(yaml);
        } catch (PipelineException invalid) {
            // the expected way to turn down an input; its problems must still be well-formed
            if (invalid.problems().isEmpty() || invalid.getMessage() == null) {
                throw new AssertionError("a PipelineException without problems", invalid);
            }
        }
    }

    private static ExecutorService newParserThread() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "pipeline-parser-fuzz");
            thread.setDaemon(true);
            return thread;
        });
    }
}
