package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * An API answer that is not a success, from the server's {@code {error, message, details}} body: the exit code follows
 * the HTTP status ({@link ExitCodes#forHttpStatus}), the message is the server's, with its error code.
 */
public final class ApiError extends CliException {
    private static final int MAX_TEXT = 300;

    private final int status;
    private final String error;
    private final JsonNode details;

    ApiError(int status, String error, String serverMessage, JsonNode details) {
        super(ExitCodes.forHttpStatus(status), describe(status, error, serverMessage));
        this.status = status;
        this.error = error;
        this.details = details;
    }

    /** The error an answer of {@code status} with {@code body} stands for; a body that is not the API's error JSON is quoted. */
    public static ApiError of(int status, String body) {
        try {
            JsonNode json = Json.MAPPER.readTree(body == null ? "" : body);
            if (json != null && json.hasNonNull("message")) {
                return new ApiError(status, json.path("error").asText(null), json.get("message").asText(), json.path("details"));
            }
        } catch (IOException e) {
            // not JSON: a proxy's or another program's page
        }
        String text = body == null || body.isBlank() ? "no explanation in the answer" : oneLine(body);
        return new ApiError(status, null, "the server answered HTTP " + status + ": " + text, Json.MAPPER.missingNode());
    }

    public int status() {
        return status;
    }

    /** The API's stable error code ({@code not_found}, {@code precondition_failed} ...), or null. */
    public String error() {
        return error;
    }

    public JsonNode details() {
        return details;
    }

    private static String describe(int status, String error, String message) {
        StringBuilder line = new StringBuilder(oneLine(message));
        if (error != null) {
            line.append(" (").append(error).append(", HTTP ").append(status).append(')');
        }
        if (status == 401) {
            line.append("; check the API token (--token, --token-file, GANTRY_TOKEN or token= in the config file)");
        }
        return line.toString();
    }

    static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() > MAX_TEXT ? line.substring(0, MAX_TEXT) + "..." : line;
    }
}
