package dev.gantry.server.cli;

import java.net.URI;

/**
 * The server to call and the API token to call it with. {@code server} ends with {@code /}, so API paths resolve
 * below it (a server behind a path prefix works). The token is never shown: not by {@link #toString()}, not in errors.
 */
public record Connection(URI server, String token) {
    @Override
    public String toString() {
        return "Connection[server=" + server + ", token=***]";
    }
}
