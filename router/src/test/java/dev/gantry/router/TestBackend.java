package dev.gantry.router;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A backend that answers every request with its own name (and a settable status). */
final class TestBackend implements AutoCloseable {
    static {
        // the JDK server writes headers and body separately; without TCP_NODELAY each response waits ~40 ms for the
        // client's delayed ACK (read once, when the server class loads)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    volatile int status = 200;
    /** While set, each request waits for it (counted down) before answering. */
    volatile CountDownLatch hold;
    /** Counted down as each request arrives. */
    volatile CountDownLatch arrived = new CountDownLatch(0);

    TestBackend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            arrived.countDown();
            CountDownLatch wait = hold;
            if (wait != null) {
                try {
                    wait.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            // a backend's own X-Gantry-Version must not reach the client next to the router's
            exchange.getResponseHeaders().add("X-Gantry-Version", "from-backend");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
