package dev.gantry.sdk;

import java.time.Instant;
import java.util.Optional;

/**
 * The stream's state, since when the client has been without a live stream (empty while
 * {@link ConnectionState#CONNECTED} and for an offline client; the start time when it never connected), the id of the
 * last event applied, and the last failure.
 */
public record ConnectionStatus(ConnectionState state, Optional<Instant> disconnectedSince,
        Optional<String> lastEventId, Optional<String> lastError) {
}
