package dev.gantry.server.auth;

import dev.gantry.server.audit.AuditService;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Setting passwords: users change their own (giving the current one, unless they have none yet), admins set or
 * reset anyone else's. A change ends the user's other sessions, a reset all of them; both are audited, without the
 * password or its hash.
 */
public class PasswordService {
    static final int MIN_LENGTH = 10;
    static final int MAX_LENGTH = 200;

    private final Database database;
    private final AuditService audit;
    private final LoginThrottle throttle;
    private final Clock clock;

    @Inject
    public PasswordService(Database database, AuditService audit, LoginThrottle throttle, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.throttle = throttle;
        this.clock = clock;
    }

    /**
     * The caller changes their own password. Guessing the current one through this route counts against the same
     * limit as signing in, so a stolen session cannot be used to find it out.
     */
    public UserRepresentation changeOwn(Caller caller, Optional<String> current, String newPassword, String address) {
        validate(newPassword, caller.name());
        String oldHash = database.inTransaction(session -> requireUser(session, caller.userId()).passwordHash);
        if (oldHash != null) {
            String given = current.filter(c -> !c.isEmpty()).orElseThrow(() -> new ApiException(400, "missing_field",
                    "'current_password' is required: you have a password, so give it to set a new one",
                    Map.of("field", "current_password")));
            LoginThrottle.Attempt attempt = throttle.begin(Optional.of(caller.name()), address);
            if (!Passwords.verify(given, oldHash)) {
                throw new ApiException(403, "wrong_password", "the current password is wrong",
                        Map.of("field", "current_password"));
            }
            throttle.succeeded(attempt);
        }
        String newHash = Passwords.hash(newPassword);
        return database.inTransaction(session -> {
            UserEntity user = requireUser(session, caller.userId());
            if (!Objects.equals(user.passwordHash, oldHash)) {
                throw ApiException.conflict("the password was changed by another request meanwhile; try again");
            }
            UserRepresentation before = UserRepresentation.of(user);
            user.passwordHash = newHash;
            user.passwordChangedAt = clock.instant();
            int ended = SessionService.endSessions(session, user.id, caller.sessionId());
            UserRepresentation after = UserRepresentation.of(user);
            audit.record(session, caller, "user.password_change", "user:" + user.name, before,
                    Map.of("user", after, "sessions_ended", ended));
            return after;
        });
    }

    /** An admin sets another user's password (a first one, or a reset): every session of that user ends. */
    public UserRepresentation reset(Caller admin, String userId, String newPassword) {
        if (userId.equals(admin.userId())) {
            throw ApiException.conflict("to change your own password use PUT /api/users/me/password, which asks for "
                    + "the current one");
        }
        String name = database.inTransaction(session -> requireUser(session, userId).name);
        validate(newPassword, name);
        String newHash = Passwords.hash(newPassword);
        UserRepresentation after = database.inTransaction(session -> {
            UserEntity user = requireUser(session, userId);
            UserRepresentation before = UserRepresentation.of(user);
            user.passwordHash = newHash;
            user.passwordChangedAt = clock.instant();
            int ended = SessionService.endSessions(session, user.id, Optional.empty());
            UserRepresentation changed = UserRepresentation.of(user);
            audit.record(session, admin, "user.password_reset", "user:" + user.name, before,
                    Map.of("user", changed, "sessions_ended", ended));
            return changed;
        });
        throttle.clear(name); // the user may sign in with the new password at once
        return after;
    }

    /** Length rules only, as NIST SP 800-63B advises: long passphrases beat character-class rules. */
    static void validate(String password, String userName) {
        if (password == null) {
            throw ApiException.missingField("new_password");
        }
        int length = password.codePointCount(0, password.length());
        Map<String, Object> details = Map.of("field", "new_password", "min_length", MIN_LENGTH, "max_length", MAX_LENGTH);
        if (password.isBlank() || length < MIN_LENGTH) {
            throw new ApiException(400, "invalid_password", "a password needs at least " + MIN_LENGTH
                    + " characters (this one has " + length + "); a few unrelated words make one that is long and "
                    + "easy to remember", details);
        }
        if (length > MAX_LENGTH) {
            throw new ApiException(400, "invalid_password", "a password may have at most " + MAX_LENGTH
                    + " characters (this one has " + length + ")", details);
        }
        if (password.strip().equalsIgnoreCase(userName)) {
            throw new ApiException(400, "invalid_password", "a password must not be the user name", details);
        }
    }

    private static UserEntity requireUser(org.hibernate.Session session, String id) {
        UserEntity user = session.find(UserEntity.class, id);
        if (user == null) {
            throw ApiException.notFound("user '" + id + "'");
        }
        return user;
    }
}
