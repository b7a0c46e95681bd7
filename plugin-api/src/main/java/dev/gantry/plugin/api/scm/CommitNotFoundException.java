package dev.gantry.plugin.api.scm;

import java.io.IOException;

/** The repository was reached but has no commit by the SHA asked for. */
public class CommitNotFoundException extends IOException {
    public CommitNotFoundException(String message) {
        super(message);
    }
}
