package dev.gantry.plugin.api.flags;

/** A flag or segment was changed by someone else since it was read. */
public class StaleFlagException extends RuntimeException {
    public StaleFlagException(String message) {
        super(message);
    }
}
