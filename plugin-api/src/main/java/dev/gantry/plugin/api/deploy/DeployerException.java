package dev.gantry.plugin.api.deploy;

/**
 * A target operation failed for a reason a person can act on (artifact refused, port taken, router not answering);
 * the message says which. The deploy controller fails or rolls back the deploy with it.
 */
public class DeployerException extends RuntimeException {
    public DeployerException(String message) {
        super(message);
    }

    public DeployerException(String message, Throwable cause) {
        super(message, cause);
    }
}
