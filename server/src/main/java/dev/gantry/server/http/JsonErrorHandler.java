package dev.gantry.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/** Errors Jetty answers itself (bad request lines, oversized headers) get the same JSON body as the API's. */
public final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        String reason = HttpStatus.getMessage(code);
        String error = reason.toLowerCase(Locale.ROOT).replace(' ', '_');
        // a server error's message is an exception's, internals included: the log has it, the client gets the reason
        String text = code >= 500 || message == null ? reason : message;
        String body = Json.write(new ErrorRepresentation(error, text, Map.of()));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
