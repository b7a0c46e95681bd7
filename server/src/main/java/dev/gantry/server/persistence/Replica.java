package dev.gantry.server.persistence;

/**
 * This server process among its replicas. Its id is the PostgreSQL {@code application_name} of every connection it
 * opens, so another replica can tell from {@code pg_stat_activity} at once that it died (its connections vanish), and
 * take over its leases without waiting for them to expire.
 */
public record Replica(String id) {
    public static Replica create() {
        return new Replica("gantry/" + Ids.newId());
    }
}
