package dev.gantry.plugins.webhook;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A real HTTP endpoint on 127.0.0.1 that records what it receives and answers as told. */
final class WebhookReceiver implements AutoCloseable {
    record Received(String method, String path, Headers headers, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile int status = 200;
    private volatile String answer = "ok";
    private volatile boolean hold;

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes()));
                if (hold) {
                    released.await(30, TimeUnit.SECONDS);
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    /** The URL to post to; its path stands for the token a real webhook URL carries. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/services/T0/B0/s3cr3t-token");
    }

    void answer(int status, String body) {
        this.status = status;
        this.answer = body;
    }

    /** Keeps every request waiting for an answer until the receiver is closed. */
    void holdAnswers() {
        this.hold = true;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    Received only() {
        if (received.size() != 1) {
            throw new AssertionError("expected one request, got " + received.size());
        }
        return received.get(0);
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
