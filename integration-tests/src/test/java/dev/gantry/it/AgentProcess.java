package dev.gantry.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code bin/gantry agent} of the assembled distribution, as an operator runs it on another machine. */
final class AgentProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private AgentProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts an agent named {@code name} for {@code server} with the agent token in the environment. */
    static AgentProcess start(Path workDir, URI server, String token, String name, List<String> arguments) {
        return start(workDir, server, token, name, arguments, List.of());
    }

    /** As {@link #start(Path, URI, String, String, List)}, run through {@code prefix} (e.g. {@code ip netns exec}). */
    static AgentProcess start(Path workDir, URI server, String token, String name, List<String> arguments,
                              List<String> prefix) {
        Path dir = workDir.resolve("agent-" + name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(GantryProcess.distribution().resolve("bin/gantry").toString(), "agent",
                "--server", server.toString(), "--name", name, "--work-dir", dir.resolve("data").toString()));
        command.addAll(arguments);
        Path output = dir.resolve("output.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("GANTRY_"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (token != null) {
            builder.environment().put("GANTRY_AGENT_TOKEN", token);
        }
        try {
            return new AgentProcess(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the agent says it is working, or fails with its output. */
    AgentProcess awaitWorking(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains("is working for")) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the agent exited with " + process.exitValue() + ":\n" + output());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the agent did not start within " + timeout + ":\n" + output());
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the agent still runs after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    /** SIGKILL to the agent and everything it started, as when its machine dies. */
    void kill() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        all.forEach(ProcessHandle::destroyForcibly);
    }

    String output() {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
