package dev.gantry.plugin.api.scm;

/** A webhook that must not be acted on; {@code unauthenticated} is true for a missing or wrong signature. */
public class WebhookRejectedException extends RuntimeException {
    private final boolean unauthenticated;

    public WebhookRejectedException(String message, boolean unauthenticated) {
        super(message);
        this.unauthenticated = unauthenticated;
    }

    public boolean unauthenticated() {
        return unauthenticated;
    }
}
