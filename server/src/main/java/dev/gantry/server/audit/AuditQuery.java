package dev.gantry.server.audit;

import java.time.Instant;
import java.util.Optional;

/** Filters for reading the audit log; {@code action} matches a prefix ({@code plugin.} finds every plugin action). */
public record AuditQuery(Optional<String> actor, Optional<String> action, Optional<String> target,
                         Optional<Instant> since, Optional<Instant> until, int limit) {
}
