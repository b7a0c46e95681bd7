package dev.gantry.server.flags;

import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.ErrorRepresentation;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.OptionalLong;

/** Versions over HTTP: {@code ETag: "<version>"} out, {@code If-Match} in, 428 without it and 412 when stale. */
final class Versions {
    private Versions() {
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** The version an {@code If-Match} header names; 428 when there is none, since writes must say what they read. */
    static long required(String ifMatch, String what) {
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new ApiException(428, "precondition_required", "changing " + what + " needs If-Match with the version "
                    + "you read (GET returns it as the ETag, e.g. If-Match: \"7\"), so that no one's change is silently lost",
                    Map.of("header", "If-Match"));
        }
        return parse(ifMatch);
    }

    static OptionalLong optional(String ifMatch) {
        return ifMatch == null || ifMatch.isBlank() ? OptionalLong.empty() : OptionalLong.of(parse(ifMatch));
    }

    private static long parse(String ifMatch) {
        String value = ifMatch.trim();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        try {
            long version = Long.parseLong(value);
            if (version > 0) {
                return version;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiException(400, "invalid_header", "If-Match is the ETag you read, a version such as \"7\"; got "
                + ifMatch, Map.of("header", "If-Match"));
    }

    /** A 412 that carries the current version as its ETag, so the client knows what to read again. */
    static Response preconditionFailed(FlagService.VersionMismatch mismatch) {
        return Response.status(412)
                .header(HttpHeaders.ETAG, etag(mismatch.current()))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorRepresentation(mismatch.error(), mismatch.getMessage(), mismatch.details()))
                .build();
    }
}
