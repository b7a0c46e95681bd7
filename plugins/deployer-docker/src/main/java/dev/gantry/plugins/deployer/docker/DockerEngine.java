package dev.gantry.plugins.deployer.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.gantry.plugin.api.deploy.DeployerException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Docker engine, reached through docker-java. Creating it opens no connection. Failures become
 * {@link DeployerException}s in the engine's own words, naming what was asked.
 */
final class DockerEngine {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Stopping a container waits for its grace period; nothing asked of the engine here takes longer. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(2);
    private static final Pattern ENGINE_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final URI host;
    private final DockerClient client;

    DockerEngine(URI host) {
        this.host = requireNonNull(host, "host is null");
        // a bare builder, not createDefaultConfigBuilder(), which reads DOCKER_HOST, ~/.docker and system properties:
        // the plugin's own setting alone decides which engine runs the instances
        DefaultDockerClientConfig config = new DefaultDockerClientConfig.Builder()
                .withDockerHost(host.toString())
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(host)
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT)
                .build();
        this.client = DockerClientImpl.getInstance(config, http);
    }

    URI host() {
        return host;
    }

    DockerClient client() {
        return client;
    }

    /** Runs one request; a refusal or an unreachable engine is a {@link DeployerException} saying what failed. */
    <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (DockerException refused) {
            throw new DeployerException("the Docker engine at " + host + " refused to " + what + ": "
                    + engineMessage(refused), refused);
        } catch (RuntimeException e) {
            // docker-java wraps the transport's IOExceptions (no socket, connection refused) in RuntimeExceptions
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof IOException io) {
                    throw new DeployerException("the Docker engine at " + host + " cannot be reached to " + what + ": "
                            + (io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage())
                            + "; start dockerd, or set " + DockerDeployerConfig.PREFIX + "docker-host to where it "
                            + "listens", e);
                }
            }
            throw e;
        }
    }

    void run(String what, Runnable request) {
        call(what, () -> {
            request.run();
            return null;
        });
    }

    /** The engine's own words ({@code {"message": "..."}}) rather than docker-java's "Status 404: {...}". */
    static String engineMessage(DockerException refused) {
        String body = String.valueOf(refused.getMessage());
        Matcher message = ENGINE_MESSAGE.matcher(body);
        String text = message.find() ? message.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : body.strip();
        return text + " (HTTP " + refused.getHttpStatus() + ")";
    }
}
