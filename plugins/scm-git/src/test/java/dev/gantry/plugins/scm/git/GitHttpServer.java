package dev.gantry.plugins.scm.git;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * git's own smart HTTP server ({@code git http-backend}) run as a CGI program behind the JDK's HTTP server, with
 * HTTP basic authentication in front of it when a user and password are given: a private repository as a forge
 * serves it, without a servlet container.
 */
final class GitHttpServer implements AutoCloseable {
    private final Path projectRoot;
    private final String expectedAuthorization;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final boolean protocolV2;

    /**
     * @param username the user name basic authentication requires, or null for a public server
     * @param protocolV2 whether the server speaks protocol v2 when asked to; a v0 server hands out only the commits
     *     it advertises (unless {@code uploadpack.allowAnySHA1InWant} is set), as older git servers do
     */
    GitHttpServer(Path projectRoot, String username, String password, boolean protocolV2) throws IOException {
        this.projectRoot = projectRoot;
        this.protocolV2 = protocolV2;
        this.expectedAuthorization = username == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The URL of a repository under the project root, e.g. {@code origin.git}. */
    String url(String repository) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + repository;
    }

    /** Each request as {@code METHOD path?query -> status}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getRawQuery();
            String line = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    + (query == null ? "" : "?" + query);
            if (expectedAuthorization != null
                    && !expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                requests.add(line + " -> 401");
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            requests.add(line + " -> cgi");
            runBackend(exchange, query);
        }
    }

    private void runBackend(HttpExchange exchange, String query) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
        Map<String, String> env = builder.environment();
        env.put("GIT_PROJECT_ROOT", projectRoot.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("HOME", projectRoot.toString());
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getPath());
        env.put("QUERY_STRING", query == null ? "" : query);
        env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
        putHeader(exchange, env, "Content-Type", "CONTENT_TYPE");
        putHeader(exchange, env, "Content-Length", "CONTENT_LENGTH");
        putHeader(exchange, env, "Content-Encoding", "HTTP_CONTENT_ENCODING");
        if (protocolV2) {
            putHeader(exchange, env, "Git-Protocol", "GIT_PROTOCOL");
        }
        if (expectedAuthorization != null) {
            env.put("REMOTE_USER", "authorized");
        }
        Process process = builder.start();
        executor.submit(() -> {
            try (InputStream in = exchange.getRequestBody(); OutputStream stdin = process.getOutputStream()) {
                in.transferTo(stdin);
            }
            return null;
        });
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        executor.submit(() -> process.getErrorStream().transferTo(errors));
        try (InputStream stdout = process.getInputStream()) {
            int status = 200;
            for (String header; !(header = readLine(stdout)).isEmpty(); ) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.substring(0, 3));
                } else {
                    exchange.getResponseHeaders().add(name, value);
                }
            }
            exchange.sendResponseHeaders(status, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                stdout.transferTo(body);
            }
        } finally {
            process.destroy();
        }
    }

    private static void putHeader(HttpExchange exchange, Map<String, String> env, String header, String variable) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
            env.put(variable, value);
        }
    }

    /** A CGI header line, without its CRLF or LF; empty at the blank line that ends the headers. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
