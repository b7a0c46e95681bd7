package dev.gantry.plugin.api.artifact;

import java.io.IOException;

/**
 * The storage behind a store cannot be reached or refused the call for a reason that may pass (a timeout, a
 * connection refused, a 5xx answer). Nothing was made visible; the same call may be retried later. The message is
 * shown to API callers: say what was unreachable, never credentials.
 */
public class ArtifactStoreUnavailableException extends IOException {
    public ArtifactStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
