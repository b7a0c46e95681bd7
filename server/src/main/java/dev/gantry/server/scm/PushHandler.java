package dev.gantry.server.scm;

import dev.gantry.plugin.api.scm.PushEvent;
import java.util.Map;

/** What a verified push does: the builds feature queues a build for it. */
public interface PushHandler {
    /** {@code accepted} when a build was queued (202); {@code body} says what happened either way. */
    record Outcome(boolean accepted, Map<String, Object> body) {
    }

    Outcome handle(String provider, Repository repository, PushEvent push);
}
