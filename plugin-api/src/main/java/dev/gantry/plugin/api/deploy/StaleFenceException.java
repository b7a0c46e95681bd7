package dev.gantry.plugin.api.deploy;

/** The target has seen a higher fencing token than the caller's: another controller now drives it. */
public class StaleFenceException extends RuntimeException {
    public StaleFenceException(String message) {
        super(message);
    }
}
