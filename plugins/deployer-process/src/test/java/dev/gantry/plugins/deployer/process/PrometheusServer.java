package dev.gantry.plugins.deployer.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's {@code prometheus} package) run as a child process for a test: it scrapes every second
 * the instances that the discovery files in one directory list, and keeps its data in a directory of the test's.
 * {@link #close} stops it.
 */
final class PrometheusServer implements AutoCloseable {
    static final Path BINARY = Path.of(System.getProperty("gantry.prometheus", "/usr/bin/prometheus"));

    private final Process process;
    private final Path log;
    private final int port;

    private PrometheusServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts Prometheus on a free port of 127.0.0.1 and waits until it is ready. */
    static PrometheusServer start(Path discoveryDirectory, Path workDirectory) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's prometheus package "
                    + "(scripts/test does), or point -Dgantry.prometheus at a Prometheus 2.x binary");
        }
        Path config = workDirectory.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: gantry
                    file_sd_configs:
                      - files: ["%s/*.json"]
                        refresh_interval: 1s
                """.formatted(discoveryDirectory), StandardCharsets.UTF_8);
        int port = Harness.freePort();
        Path log = workDirectory.resolve("prometheus.log");
        Process process = new ProcessBuilder(List.of(BINARY.toString(), "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.path=" + workDirectory.resolve("data")))
                .directory(workDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusServer server = new PrometheusServer(process, log, port);
        try {
            Harness.await("Prometheus to be ready", server::ready, server::log);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Prometheus exited with status " + process.exitValue() + ": " + log());
        }
        try {
            return Harness.HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Its output, for failure messages. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
