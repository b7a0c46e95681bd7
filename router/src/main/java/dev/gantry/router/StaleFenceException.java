package dev.gantry.router;

/** A state change carried a fence older than the router's. */
final class StaleFenceException extends Exception {
    private static final long serialVersionUID = 1L;
    final long given;
    final long stored;

    StaleFenceException(long given, long stored) {
        super("fence " + given + " is older than the router's fence " + stored
                + "; another deploy has set the traffic since");
        this.given = given;
        this.stored = stored;
    }
}
