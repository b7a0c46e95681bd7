package dev.gantry.server.auth;

import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.hibernate.Session;

/**
 * Limits password guessing: after {@value #NAME_LIMIT} failures for one user name, or {@value #ADDRESS_LIMIT} from
 * one client address, within {@link #WINDOW}, further attempts get 429 until the oldest of those failures leaves
 * the window. The failures are rows in PostgreSQL, so every replica counts the same ones; a success clears the
 * name's. Unknown names are counted like known ones, so the limit tells nothing about who exists.
 *
 * <p>Each attempt is written as a failure before its password is checked, and taken back when it succeeds; the
 * count and the write happen under one lock. So requests sent in parallel cannot all pass the check before any of
 * them is counted.
 */
public class LoginThrottle {
    static final int NAME_LIMIT = 5;
    static final int ADDRESS_LIMIT = 20;
    static final Duration WINDOW = Duration.ofMinutes(15);
    private static final int MAX_NAME = 100;

    private final Database database;
    private final Clock clock;

    @Inject
    public LoginThrottle(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** An attempt let through, counted as a failure until {@link #succeeded} takes it back. */
    public record Attempt(String id, Optional<String> name) {
    }

    /**
     * Lets an attempt through and counts it, or throws 429 {@code too_many_attempts} with Retry-After when
     * {@code name} or {@code address} is over its limit.
     */
    public Attempt begin(Optional<String> name, String address) {
        Instant now = clock.instant();
        Instant since = now.minus(WINDOW);
        Optional<String> key = name.map(LoginThrottle::key);
        Object outcome = database.inTransaction(session -> {
            // one attempt at a time, on all replicas: counting and writing are a few milliseconds
            session.createNativeQuery("select pg_advisory_xact_lock(hashtext('gantry.login-throttle'))", Object.class)
                    .getSingleResult();
            session.createMutationQuery("delete from LoginFailureEntity where failedAt <= :since")
                    .setParameter("since", since).executeUpdate();
            Optional<Instant> byName = key.flatMap(n -> nthNewest(session, "name", n, since, NAME_LIMIT));
            Optional<Instant> byAddress = nthNewest(session, "address", address, since, ADDRESS_LIMIT);
            Optional<Instant> blockedUntil = later(byName, byAddress).map(oldest -> oldest.plus(WINDOW));
            if (blockedUntil.isPresent()) {
                return blockedUntil.get();
            }
            LoginFailureEntity attempt = new LoginFailureEntity(Ids.newId(), key.orElse(null), address, now);
            session.persist(attempt);
            return new Attempt(attempt.id, name);
        });
        if (outcome instanceof Instant blockedUntil) {
            long seconds = Math.max(1, Duration.between(now, blockedUntil).toSeconds() + 1);
            throw new ApiException(429, "too_many_attempts", "too many failed sign-ins; try again in "
                    + (seconds < 120 ? seconds + " seconds" : (seconds + 59) / 60 + " minutes"),
                    Map.of("retry_after_seconds", seconds), Map.of("Retry-After", String.valueOf(seconds)));
        }
        return (Attempt) outcome;
    }

    /** The attempt succeeded: it is not a failure, and its name starts again from zero. */
    public void succeeded(Attempt attempt) {
        database.runInTransaction(session -> {
            session.createMutationQuery("delete from LoginFailureEntity where id = :id")
                    .setParameter("id", attempt.id()).executeUpdate();
            attempt.name().ifPresent(name -> clear(session, name));
        });
    }

    /** Forgets the failures for {@code name}, e.g. when an admin has given that user a new password. */
    public void clear(String name) {
        database.runInTransaction(session -> clear(session, name));
    }

    private static void clear(Session session, String name) {
        session.createMutationQuery("delete from LoginFailureEntity where name = :name")
                .setParameter("name", key(name)).executeUpdate();
    }

    /** The time of the {@code limit}-th newest failure in the window, present only when the limit is reached. */
    private static Optional<Instant> nthNewest(Session session, String field, String value, Instant since, int limit) {
        List<Instant> rows = session.createQuery("select f.failedAt from LoginFailureEntity f where f." + field
                        + " = :value and f.failedAt > :since order by f.failedAt desc", Instant.class)
                .setParameter("value", value)
                .setParameter("since", since)
                .setFirstResult(limit - 1)
                .setMaxResults(1)
                .getResultList();
        return rows.stream().findFirst();
    }

    private static Optional<Instant> later(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return Optional.of(a.get().isAfter(b.get()) ? a.get() : b.get());
    }

    private static String key(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        return key.length() > MAX_NAME ? key.substring(0, MAX_NAME) : key;
    }
}
