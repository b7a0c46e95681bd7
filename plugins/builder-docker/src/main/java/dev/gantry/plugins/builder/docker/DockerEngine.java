package dev.gantry.plugins.builder.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Docker engine, reached through docker-java. Creating it opens no connection. Requests run on threads of its
 * own: interrupting a step's thread (a cancelled build) then never breaks a request halfway, which could leave a
 * container behind that the step does not know of; the step's thread only waits for the answer.
 */
final class DockerEngine {
    /** How long a single request (create, start, remove, ...) may take before the engine counts as hung. */
    static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern ENGINE_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private static final Logger logger = LoggerFactory.getLogger(DockerEngine.class);

    private final URI host;
    private final DockerClient client;
    private final ExecutorService requests;
    private final Set<String> warnings = ConcurrentHashMap.newKeySet();

    DockerEngine(URI host) {
        this.host = requireNonNull(host, "host is null");
        // a bare builder, not createDefaultConfigBuilder(), which reads DOCKER_HOST, DOCKER_TLS_VERIFY, ~/.docker and
        // system properties: the plugin's own setting alone decides which engine runs the builds
        DefaultDockerClientConfig config = new DefaultDockerClientConfig.Builder()
                .withDockerHost(host.toString())
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(host)
                .connectionTimeout(CONNECT_TIMEOUT)
                .build();
        this.client = DockerClientImpl.getInstance(config, http);
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "docker-builder-request-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.requests = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory);
    }

    URI host() {
        return host;
    }

    DockerClient client() {
        return client;
    }

    /**
     * Runs one request and waits for its answer even if the calling thread is interrupted meanwhile; the interrupt is
     * then kept (the thread's flag is set again) for the caller to act on.
     */
    <T> T call(String what, Callable<T> request) throws IOException {
        Future<T> answer = requests.submit(request);
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw failure(what, e.getCause());
                } catch (TimeoutException e) {
                    answer.cancel(true);
                    throw new IOException("the Docker engine at " + host + " did not answer within "
                            + REQUEST_TIMEOUT.toMinutes() + " minutes when asked to " + what);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Logs what the engine warned about when creating a container (e.g. that the kernel cannot limit swap), once:
     * it concerns the host, not the step.
     */
    void warned(String warning) {
        if (warnings.add(warning)) {
            logger.warn("the Docker engine at {} warns: {}", host, warning);
        }
    }

    /** Runs a request that answers nothing. */
    void run(String what, Runnable request) throws IOException {
        call(what, () -> {
            request.run();
            return null;
        });
    }

    /** What to tell the user when asking the engine to do {@code what} failed with {@code failure}. */
    IOException failure(String what, Throwable failure) {
        if (failure instanceof DockerException refused) {
            return new IOException("the Docker engine at " + host + " refused to " + what + ": " + engineMessage(refused),
                    refused);
        }
        // docker-java wraps the transport's IOExceptions (no socket, connection refused, reset) in RuntimeExceptions
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException io) {
                return unreachable(io);
            }
        }
        return new IOException("asking the Docker engine at " + host + " to " + what + " failed: " + failure, failure);
    }

    private IOException unreachable(IOException cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new IOException("the Docker engine at " + host + " cannot be reached: " + reason
                + "; start dockerd, or set " + DockerBuilderConfig.PREFIX + DockerBuilderConfig.HOST
                + " to where it listens", cause);
    }

    /** The engine's own words ({@code {"message": "..."}}) rather than docker-java's "Status 404: {...}". */
    static String engineMessage(DockerException refused) {
        String body = String.valueOf(refused.getMessage());
        Matcher message = ENGINE_MESSAGE.matcher(body);
        String text = message.find() ? message.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : body.strip();
        return text + " (HTTP " + refused.getHttpStatus() + ")";
    }
}
