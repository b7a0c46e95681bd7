package dev.gantry.sdk;

/** Where the client's stream to the server stands. */
public enum ConnectionState {
    /** Not connected now (starting, or the connection was lost) and trying, with backoff. */
    CONNECTING,
    /** The stream is open and its snapshot applied: changes arrive as they happen. */
    CONNECTED,
    /** The server refused the SDK token (401 or 403); retried at the longest backoff in case it is fixed. */
    UNAUTHORIZED,
    /** Built {@code offline()}: serves the local file or bootstrap snapshot and never connects. */
    OFFLINE,
    /** {@link GantryFlags#close()} was called. */
    CLOSED
}
