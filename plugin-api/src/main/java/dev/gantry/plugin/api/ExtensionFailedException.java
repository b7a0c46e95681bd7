package dev.gantry.plugin.api;

/** Thrown by an extension for a failure the caller should report as is (e.g. a remote system refused the call). */
public class ExtensionFailedException extends RuntimeException {
    public ExtensionFailedException(String message) {
        super(message);
    }

    public ExtensionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
