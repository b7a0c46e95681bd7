package dev.gantry.router;

/** The router could not start; the message is for a person (the launcher's log shows it). */
public final class RouterException extends Exception {
    private static final long serialVersionUID = 1L;

    public RouterException(String message) {
        super(message);
    }

    public RouterException(String message, Throwable cause) {
        super(message, cause);
    }
}
