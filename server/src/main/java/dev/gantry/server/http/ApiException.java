package dev.gantry.server.http;

import java.util.Map;

/**
 * A failure to report to the API caller as {@code {error, message, details}}: {@code error} is a stable code for
 * programs, {@code message} a sentence a person can act on.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String error;
    private final Map<String, Object> details;
    private final Map<String, String> headers;

    public ApiException(int status, String error, String message, Map<String, Object> details) {
        this(status, error, message, details, Map.of());
    }

    /** With response headers, such as the {@code Retry-After} of a 429. */
    public ApiException(int status, String error, String message, Map<String, Object> details, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.error = error;
        this.details = Map.copyOf(details);
        this.headers = Map.copyOf(headers);
    }

    public ApiException(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " does not exist");
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    /** A required field of a request body is absent. */
    public static ApiException missingField(String field) {
        return new ApiException(400, "missing_field", "'" + field + "' is required", Map.of("field", field));
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Map<String, Object> details() {
        return details;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
