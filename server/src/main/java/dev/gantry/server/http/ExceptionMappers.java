package dev.gantry.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.gantry.server.persistence.DatabaseUnavailableException;
import dev.gantry.server.persistence.Ids;
import dev.gantry.server.plugins.ExtensionCallException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure into {@code {error, message, details}} with the right status. */
public final class ExceptionMappers {
    private static final Logger log = LoggerFactory.getLogger(ExceptionMappers.class);

    private ExceptionMappers() {
    }

    public static List<Object> all() {
        return List.of(new ApiExceptionMapper(), new WebApplicationExceptionMapper(), new JsonExceptionMapper(),
                new DatabaseUnavailableMapper(), new ExtensionCallMapper(), new ConstraintViolationMapper(),
                new UnexpectedExceptionMapper());
    }

    static Response response(int status, String error, String message, Map<String, Object> details) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorRepresentation(error, message, details))
                .build();
    }

    static final class ApiExceptionMapper implements ExceptionMapper<ApiException> {
        @Override
        public Response toResponse(ApiException e) {
            Response.ResponseBuilder response = Response.fromResponse(response(e.status(), e.error(), e.getMessage(), e.details()));
            e.headers().forEach(response::header);
            if (e.status() == 401) {
                // RFC 6750: tell the client which scheme to authenticate with
                response.header("WWW-Authenticate", "Bearer realm=\"gantry\"");
            }
            return response.build();
        }
    }

    static final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            Response.StatusType type = Response.Status.fromStatusCode(status);
            String reason = type == null ? "error" : type.getReasonPhrase();
            String error = reason.toLowerCase(Locale.ROOT).replace(' ', '_').replace("-", "_");
            String message = switch (status) {
                case 404 -> "nothing exists at this path";
                case 405 -> "this method is not allowed here; allowed: " + e.getResponse().getAllowedMethods();
                case 415 -> "unsupported content type; send application/json";
                case 406 -> "cannot produce the requested media type";
                default -> e.getMessage() == null ? reason : e.getMessage();
            };
            // keep the original headers, e.g. the Allow of a 405
            return Response.fromResponse(e.getResponse())
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ErrorRepresentation(error, message, Map.of()))
                    .build();
        }
    }

    static final class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException e) {
            Map<String, Object> details = new LinkedHashMap<>();
            JsonLocation location = e.getLocation();
            if (location != null && location.getLineNr() > 0) {
                details.put("line", location.getLineNr());
                details.put("column", location.getColumnNr());
            }
            String message;
            if (e instanceof JsonParseException) {
                message = "the request body is not valid JSON: " + plain(e.getOriginalMessage());
                return response(400, "malformed_json", message, details);
            }
            if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
                String field = mapping.getPath().stream()
                        .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                        .collect(Collectors.joining("."));
                details.put("field", field);
                if (e instanceof UnrecognizedPropertyException) {
                    message = "unknown field '" + field + "'";
                } else if (e instanceof InvalidFormatException format) {
                    message = "field '" + field + "' has an invalid value '" + format.getValue() + "'";
                } else if (rootCause(e) instanceof IllegalArgumentException invalid) {
                    message = "field '" + field + "': " + invalid.getMessage();
                } else {
                    message = "field '" + field + "': " + plain(e.getOriginalMessage());
                }
            } else {
                message = "the request body does not match what this route takes: " + e.getOriginalMessage();
            }
            return response(400, "invalid_body", message, details);
        }
    }

    /** Jackson's message without its parser-internal location notes (the location is in details). */
    private static String plain(String message) {
        int cut = message.indexOf(" (start marker");
        if (cut < 0) {
            cut = message.indexOf("\n at [Source");
        }
        return cut < 0 ? message : message.substring(0, cut);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    static final class DatabaseUnavailableMapper implements ExceptionMapper<DatabaseUnavailableException> {
        @Override
        public Response toResponse(DatabaseUnavailableException e) {
            log.warn("Database unavailable: {}", e.getMessage());
            return response(503, "database_unavailable", "the database is not available; try again shortly", Map.of());
        }
    }

    /** A plugin failed while serving the request: the server is fine, so 502 names the plugin at fault. */
    static final class ExtensionCallMapper implements ExceptionMapper<ExtensionCallException> {
        @Override
        public Response toResponse(ExtensionCallException e) {
            log.warn("{}", e.getMessage(), e.getCause());
            return response(502, "plugin_failed", e.getMessage(),
                    Map.of("plugin", e.pluginId(), "extension", e.extension(), "method", e.method()));
        }
    }

    /** Two requests raced to create the same thing; the loser is told so, as a check before the insert would have. */
    static final class ConstraintViolationMapper implements ExceptionMapper<org.hibernate.exception.ConstraintViolationException> {
        @Override
        public Response toResponse(org.hibernate.exception.ConstraintViolationException e) {
            return response(409, "conflict", "it already exists (it was created by a concurrent request)", Map.of());
        }
    }

    static final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            String incident = Ids.newId();
            log.error("Unexpected failure, incident {}", incident, e);
            return response(500, "internal_error", "an unexpected error occurred; the server log has incident " + incident,
                    Map.of("incident", incident));
        }
    }
}
