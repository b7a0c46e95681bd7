package dev.gantry.server.http;

import dev.gantry.server.auth.Public;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The browser UI's static files, from the webapp jar. Every path outside {@code /api/} may be a UI file. */
@Path("/")
public class WebappResource {
    private static final String ROOT = "META-INF/gantry/webapp/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "json", "application/json",
            "ico", "image/x-icon",
            "woff2", "font/woff2");

    /**
     * The UI's files never change while the server runs: read from the jar once, then served from memory. Only files
     * that exist are kept, so requests for made-up paths cannot grow it.
     */
    private static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();

    @GET
    @Public
    public Response index() {
        return file("");
    }

    @GET
    @Path("{path: (?!api/|api$)(?!metrics$|healthz$|readyz$).+}")
    @Public
    public Response file(@PathParam("path") String path) {
        if (path.contains("..") || path.contains("\\")) {
            throw ApiException.notFound("'" + path + "'");
        }
        String name = path.isEmpty() || path.endsWith("/") ? path + "index.html" : path;
        byte[] content = FILES.get(name);
        if (content == null) {
            content = read(name).orElseThrow(() -> ApiException.notFound("'/" + path + "'"));
            FILES.put(name, content);
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return Response.ok(content, TYPES.getOrDefault(extension, "application/octet-stream"))
                .header("Cache-Control", name.endsWith(".html") ? "no-cache" : "max-age=3600")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    private static Optional<byte[]> read(String name) {
        try (InputStream in = WebappResource.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the UI's file " + name, e);
        }
    }
}
