package dev.gantry.server.auth;

import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in: checks a name and password, or an API token (how a new admin first reaches the UI, with the token
 * printed at first start), under {@link LoginThrottle}, and opens a session. A wrong name, a wrong password and a
 * disabled user all get the same answer in about the same time, so the answer tells nobody who exists.
 */
public class LoginService {
    private static final Logger log = LoggerFactory.getLogger(LoginService.class);
    private static final int MAX_NAME = 100;
    /** Far above any password that can be set ({@link PasswordService#MAX_LENGTH}); longer input is not hashed. */
    private static final int MAX_PASSWORD = 1024;

    private final Database database;
    private final IdentityService identity;
    private final SessionService sessions;
    private final LoginThrottle throttle;

    @Inject
    public LoginService(Database database, IdentityService identity, SessionService sessions, LoginThrottle throttle) {
        this.database = database;
        this.identity = identity;
        this.sessions = sessions;
        this.throttle = throttle;
    }

    /** A new session and the user it belongs to. */
    public record SignedIn(UserRepresentation user, SessionService.Opened session) {
    }

    public SignedIn withPassword(String name, String password, String address) {
        LoginThrottle.Attempt attempt = throttle.begin(Optional.of(name), address);
        String lookup = name.trim().toLowerCase(Locale.ROOT);
        Optional<UserEntity> found = lookup.length() > MAX_NAME ? Optional.empty() : database.inTransaction(session -> session
                .createQuery("from UserEntity where name = :name", UserEntity.class)
                .setParameter("name", lookup)
                .getResultStream().findFirst());
        boolean matches = found.isPresent() && found.get().passwordHash != null && password.length() <= MAX_PASSWORD
                ? Passwords.verify(password, found.get().passwordHash)
                : Passwords.verifyNothing(password);
        if (!matches || found.get().disabledAt != null) {
            log.info("Failed sign-in as '{}' from {}", printable(name), address);
            throw invalidCredentials("the user name or password is wrong, or the user is disabled");
        }
        String verifiedHash = found.get().passwordHash;
        SignedIn signedIn = database.inTransaction(session -> {
            UserEntity user = session.find(UserEntity.class, found.get().id);
            if (user == null || user.disabledAt != null || !Objects.equals(user.passwordHash, verifiedHash)) {
                // disabled or given a new password while the hash was being checked
                throw invalidCredentials("the user name or password is wrong, or the user is disabled");
            }
            if (Passwords.needsRehash(user.passwordHash)) {
                user.passwordHash = Passwords.hash(password);
            }
            return new SignedIn(UserRepresentation.of(user), sessions.open(session, user.id));
        });
        throttle.succeeded(attempt);
        log.info("{} signed in with a password from {}", signedIn.user().name(), address);
        return signedIn;
    }

    public SignedIn withToken(String token, String address) {
        LoginThrottle.Attempt attempt = throttle.begin(Optional.empty(), address);
        Optional<Caller> caller = identity.authenticate(token.trim());
        if (caller.isEmpty()) {
            log.info("Failed sign-in with a token from {}", address);
            throw invalidCredentials("the token is unknown, revoked or expired, or its user is disabled");
        }
        SignedIn signedIn = database.inTransaction(session -> {
            UserEntity user = session.find(UserEntity.class, caller.get().userId());
            if (user == null || user.disabledAt != null) {
                throw invalidCredentials("the token is unknown, revoked or expired, or its user is disabled");
            }
            return new SignedIn(UserRepresentation.of(user), sessions.open(session, user.id));
        });
        throttle.succeeded(attempt);
        log.info("{} signed in with an API token from {}", signedIn.user().name(), address);
        return signedIn;
    }

    private static ApiException invalidCredentials(String message) {
        return new ApiException(401, "invalid_credentials", message);
    }

    /** A name as typed, safe for one log line. */
    private static String printable(String name) {
        String cut = name.length() > MAX_NAME ? name.substring(0, MAX_NAME) + "…" : name;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
