package dev.gantry.router;

/** A state document that breaks a rule; the message names the field and is meant for a person. */
final class InvalidStateException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidStateException(String message) {
        super(message);
    }
}
