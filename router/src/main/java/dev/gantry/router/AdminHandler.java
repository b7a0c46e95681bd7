package dev.gantry.router;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API on 127.0.0.1:&lt;admin port&gt;. Every request needs {@code Authorization: Bearer <admin_token>}.
 * <ul>
 *   <li>{@code GET /admin/health}: {@code {"status":"ok","pid":..,"listen_port":..}}</li>
 *   <li>{@code GET /admin/state}, {@code PUT /admin/state}: the whole state, fenced; a PUT answers once the backends
 *   it took away have no request in flight (5 s at most), so they can be stopped</li>
 *   <li>{@code GET /admin/samples?version=V&from=ms&to=ms}: the version's samples that completed in [from, to)</li>
 * </ul>
 * Errors are {@code {"error": "<stable_code>", "message": "<for a person>"}}.
 */
final class AdminHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final int MAX_BODY = 1 << 20;
    private static final String JSON = MimeTypes.Type.APPLICATION_JSON_UTF_8.asString();

    private final ObjectMapper mapper;
    private final StateHolder state;
    private final SampleStore samples;
    private final byte[] expectedAuthorization;
    private final long pid;
    private volatile int listenPort;

    AdminHandler(ObjectMapper mapper, StateHolder state, SampleStore samples, String token, long pid) {
        super(InvocationType.BLOCKING);
        this.mapper = mapper;
        this.state = state;
        this.samples = samples;
        this.expectedAuthorization = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.pid = pid;
    }

    void setListenPort(int listenPort) {
        this.listenPort = listenPort;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (!authorized(request)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            error(response, callback, HttpStatus.UNAUTHORIZED_401, "unauthorized",
                    "send Authorization: Bearer <admin_token> (the token is in admin.json)");
            return true;
        }
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        switch (path == null ? "" : path) {
            case "/admin/health" -> {
                if (allowed(method, response, callback, "GET")) {
                    ObjectNode body = mapper.createObjectNode();
                    body.put("status", "ok");
                    body.put("pid", pid);
                    body.put("listen_port", listenPort);
                    send(response, callback, HttpStatus.OK_200, body);
                }
            }
            case "/admin/state" -> {
                if (allowed(method, response, callback, "GET", "PUT")) {
                    if (method.equals("GET")) {
                        send(response, callback, HttpStatus.OK_200, StateCodec.toJson(mapper, state.state()));
                    } else {
                        putState(request, response, callback);
                    }
                }
            }
            case "/admin/samples" -> {
                if (allowed(method, response, callback, "GET")) {
                    samples(request, response, callback);
                }
            }
            default -> error(response, callback, HttpStatus.NOT_FOUND_404, "not_found",
                    "no such admin resource: " + path + " (there are /admin/health, /admin/state, /admin/samples)");
        }
        return true;
    }

    private boolean authorized(Request request) {
        String given = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        return given != null && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8));
    }

    private boolean allowed(String method, Response response, Callback callback, String... methods) {
        for (String m : methods) {
            if (m.equals(method)) {
                return true;
            }
        }
        response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", methods));
        error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method_not_allowed",
                method + " is not allowed here; allowed: " + String.join(", ", methods));
        return false;
    }

    private void putState(Request request, Response response, Callback callback) {
        if (request.getLength() > MAX_BODY) {
            error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "body_too_large",
                    "the state document must be at most " + MAX_BODY + " bytes");
            return;
        }
        JsonNode root;
        try {
            byte[] body = Content.Source.asByteArrayAsync(request, MAX_BODY).get();
            root = body.length == 0 ? null : mapper.readTree(body);
        } catch (JsonProcessingException e) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, "invalid_state",
                    "the body is not JSON: " + e.getOriginalMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
            return;
        } catch (ExecutionException | IOException e) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, "invalid_state",
                    "cannot read the body (at most " + MAX_BODY + " bytes): " + (e.getCause() != null ? e.getCause() : e));
            return;
        }
        RouterState next;
        try {
            next = StateCodec.parse(root);
        } catch (InvalidStateException e) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, "invalid_state", e.getMessage());
            return;
        }
        try {
            RouterState applied = state.replace(next);
            LOG.info("State set, fence {}: {}", applied.fence(), describe(applied));
            send(response, callback, HttpStatus.OK_200, StateCodec.toJson(mapper, applied));
        } catch (StaleFenceException e) {
            LOG.warn("State change refused: {}", e.getMessage());
            error(response, callback, HttpStatus.CONFLICT_409, "stale_fence", e.getMessage());
        } catch (IOException e) {
            LOG.error("Cannot write the state file; the state is unchanged", e);
            error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "state_not_saved",
                    "the state could not be written to disk, so it was not applied: " + e);
        }
    }

    private void samples(Request request, Response response, Callback callback) {
        Fields query = Request.extractQueryParameters(request);
        String version = query.getValue("version");
        if (version == null || version.isEmpty()) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, "invalid_request", "the version parameter is required");
            return;
        }
        long from;
        long to;
        try {
            from = longParameter(query, "from", 0);
            to = longParameter(query, "to", Long.MAX_VALUE);
        } catch (NumberFormatException e) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, "invalid_request",
                    "from and to must be epoch milliseconds (integers): " + e.getMessage());
            return;
        }
        SampleBuffer buffer = samples.find(version);
        SampleBuffer.Samples found = buffer == null ? new SampleBuffer.Samples(0) : buffer.between(from, to);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        OutputStream out = Content.Sink.asOutputStream(response);
        // closing the generator closes the stream, which writes the last chunk
        try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("version", version);
            json.writeArrayFieldStart("samples");
            for (int i = 0; i < found.size; i++) {
                json.writeStartArray();
                json.writeNumber(found.times[i]);
                json.writeNumber(found.latencyNanos[i] / 1e6);
                json.writeNumber(found.statuses[i]);
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        callback.succeeded();
    }

    private static long longParameter(Fields query, String name, long absent) {
        String value = query.getValue(name);
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new NumberFormatException(name + "=" + value);
        }
    }

    private void error(Response response, Callback callback, int status, String code, String message) {
        ObjectNode body = mapper.createObjectNode();
        body.put("error", code);
        body.put("message", message);
        send(response, callback, status, body);
    }

    private void send(Response response, Callback callback, int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static String describe(RouterState state) {
        if (state.versions().isEmpty()) {
            return "no versions";
        }
        StringBuilder out = new StringBuilder();
        state.versions().forEach((name, v) -> {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(name).append('=').append(v.weight()).append("% on ").append(v.backends().size()).append(" backend(s)");
        });
        return out.toString();
    }
}
