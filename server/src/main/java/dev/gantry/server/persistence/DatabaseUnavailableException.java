package dev.gantry.server.persistence;

/** The database cannot be reached or did not start; requests get 503. */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
