package dev.gantry.server.auth;

import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.hibernate.Session;

/**
 * Browser sessions, kept in PostgreSQL so that any replica serves any request. The cookie carries a random secret;
 * the table keeps its SHA-256 only. A session ends after {@link #IDLE_TIMEOUT} without a request, or
 * {@link #LIFETIME} after sign-in, whichever comes first; signing out, a password change and disabling the user
 * end it at once.
 */
public class SessionService {
    static final Duration IDLE_TIMEOUT = Duration.ofHours(12);
    static final Duration LIFETIME = Duration.ofDays(7);
    /** last_seen_at only has to be as precise as the idle timeout needs, so it is written at most this often. */
    private static final Duration LAST_SEEN_GRANULARITY = Duration.ofMinutes(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final Clock clock;

    @Inject
    public SessionService(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** A live session: who it is, and the CSRF token its state-changing requests must carry. */
    public record Active(String id, Caller caller, String csrfToken, Instant expiresAt) {
    }

    /** A session just opened; {@code secret} goes into the cookie and is never seen again. */
    public record Opened(String id, String secret, String csrfToken, Instant expiresAt) {
        /** How long the cookie is kept: a new session's whole lifetime. */
        Duration lifetime() {
            return LIFETIME;
        }
    }

    /** The session a cookie stands for, if it is live and its user enabled; a dead one is deleted on the way. */
    public Optional<Active> authenticate(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > 100) {
            return Optional.empty();
        }
        String hash = Tokens.hash(secret);
        Instant now = clock.instant();
        return database.inTransaction(session -> {
            List<Object[]> rows = session.createQuery(
                            "select s, u from SessionEntity s join UserEntity u on u.id = s.userId "
                                    + "where s.tokenHash = :hash and u.disabledAt is null", Object[].class)
                    .setParameter("hash", hash)
                    .getResultList();
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            SessionEntity s = (SessionEntity) rows.get(0)[0];
            UserEntity u = (UserEntity) rows.get(0)[1];
            if (!now.isBefore(s.expiresAt) || !now.isBefore(s.lastSeenAt.plus(IDLE_TIMEOUT))) {
                session.remove(s);
                return Optional.empty();
            }
            if (s.lastSeenAt.plus(LAST_SEEN_GRANULARITY).isBefore(now)) {
                s.lastSeenAt = now;
            }
            return Optional.of(new Active(s.id, new Caller(u.id, u.name, u.role, Caller.SESSION_PREFIX + s.id),
                    s.csrfToken, s.expiresAt));
        });
    }

    /** The session with this id as GET /api/session shows it, if it is still there. */
    public Optional<SessionRepresentation> find(String id) {
        return database.inTransaction(session -> Optional.ofNullable(session.find(SessionEntity.class, id))
                .map(s -> new SessionRepresentation(UserRepresentation.of(session.find(UserEntity.class, s.userId)),
                        s.csrfToken, s.expiresAt)));
    }

    /** Opens a session for {@code userId} in the caller's transaction, and prunes sessions that have ended. */
    Opened open(Session session, String userId) {
        Instant now = clock.instant();
        session.createMutationQuery("delete from SessionEntity where expiresAt <= :now or lastSeenAt <= :idleSince")
                .setParameter("now", now)
                .setParameter("idleSince", now.minus(IDLE_TIMEOUT))
                .executeUpdate();
        String secret = random();
        SessionEntity entity = new SessionEntity(Ids.newId(), Tokens.hash(secret), userId, random(), now, now.plus(LIFETIME));
        session.persist(entity);
        return new Opened(entity.id, secret, entity.csrfToken, entity.expiresAt);
    }

    /** Signs out: deletes the session the cookie stands for, whatever its state. Returns whether there was one. */
    public boolean end(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > 100) {
            return false;
        }
        String hash = Tokens.hash(secret);
        return database.inTransaction(session -> session
                .createMutationQuery("delete from SessionEntity where tokenHash = :hash")
                .setParameter("hash", hash)
                .executeUpdate() > 0);
    }

    /** Ends every session of a user but {@code keep}, in the caller's transaction; returns how many ended. */
    static int endSessions(Session session, String userId, Optional<String> keep) {
        return session.createMutationQuery("delete from SessionEntity where userId = :user and id <> :keep")
                .setParameter("user", userId)
                .setParameter("keep", keep.orElse(""))
                .executeUpdate();
    }

    /** 32 random bytes, base64url: the cookie's secret and the CSRF token. */
    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
