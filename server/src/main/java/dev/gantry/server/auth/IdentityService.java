package dev.gantry.server.auth;

import dev.gantry.server.audit.AuditService;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hibernate.Session;

/** Users and their API tokens: who may call, with which role; and the SDK tokens that read one environment's flags. */
public class IdentityService {
    private static final Pattern USER_NAME = Pattern.compile("[a-z][a-z0-9._-]{1,62}");
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** last_used_at is a hint for people, so it is written at most this often per token. */
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private final Database database;
    private final AuditService audit;
    private final Clock clock;

    @Inject
    public IdentityService(Database database, AuditService audit, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.clock = clock;
    }

    /** The caller a bearer token stands for, if the token is known, unrevoked, unexpired and its user enabled. */
    public Optional<Caller> authenticate(String token) {
        if (!token.startsWith(Tokens.PREFIX)) {
            return Optional.empty();
        }
        String hash = Tokens.hash(token);
        Instant now = clock.instant();
        return database.inTransaction(session -> {
            List<Object[]> rows = session.createQuery(
                            "select t, u from ApiTokenEntity t join UserEntity u on u.id = t.userId "
                                    + "where t.tokenHash = :hash and t.revokedAt is null and u.disabledAt is null",
                            Object[].class)
                    .setParameter("hash", hash)
                    .getResultList();
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            ApiTokenEntity t = (ApiTokenEntity) rows.get(0)[0];
            UserEntity u = (UserEntity) rows.get(0)[1];
            if (t.expiresAt != null && !now.isBefore(t.expiresAt)) {
                return Optional.empty();
            }
            if (t.lastUsedAt == null || t.lastUsedAt.plus(LAST_USED_GRANULARITY).isBefore(now)) {
                t.lastUsedAt = now;
            }
            return Optional.of(new Caller(u.id, u.name, u.role, t.id));
        });
    }

    /**
     * On an empty database, creates the {@code admin} user with a token: {@code presetToken} if given, otherwise a
     * new one. Returns the token when this call created it; replicas starting together create it once.
     */
    public Optional<String> bootstrapAdmin(Optional<String> presetToken) {
        return database.inTransaction(session -> {
            session.createNativeQuery("select pg_advisory_xact_lock(hashtext('gantry.bootstrap-admin'))", Object.class)
                    .getSingleResult();
            long users = session.createQuery("select count(u) from UserEntity u", Long.class).getSingleResult();
            if (users > 0) {
                return Optional.empty();
            }
            Instant now = clock.instant();
            UserEntity admin = new UserEntity(Ids.newId(), "admin", Role.ADMIN, now);
            session.persist(admin);
            String token = presetToken.orElseGet(Tokens::newToken);
            ApiTokenEntity entity = new ApiTokenEntity(Ids.newId(), admin.id, "bootstrap", Tokens.hash(token),
                    Tokens.displayPrefix(token), now, null);
            session.persist(entity);
            audit.record(session, Caller.SYSTEM, "user.create", "user:admin", null, UserRepresentation.of(admin));
            audit.record(session, Caller.SYSTEM, "token.create", "token:" + entity.id, null, TokenRepresentation.of(entity));
            return Optional.of(token);
        });
    }

    public List<UserRepresentation> users() {
        return database.inTransaction(session -> session
                .createQuery("from UserEntity order by name", UserEntity.class)
                .getResultStream().map(UserRepresentation::of).toList());
    }

    public UserRepresentation user(String id) {
        return database.inTransaction(session -> UserRepresentation.of(requireUser(session, id)));
    }

    public UserRepresentation createUser(Caller caller, String name, Role role) {
        if (!USER_NAME.matcher(name).matches()) {
            throw new ApiException(400, "invalid_name",
                    "user names are 2 to 63 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter",
                    Map.of("field", "name"));
        }
        return database.inTransaction(session -> {
            boolean taken = !session.createQuery("from UserEntity where name = :name", UserEntity.class)
                    .setParameter("name", name).getResultList().isEmpty();
            if (taken) {
                throw ApiException.conflict("a user named '" + name + "' already exists");
            }
            UserEntity user = new UserEntity(Ids.newId(), name, role, clock.instant());
            session.persist(user);
            UserRepresentation created = UserRepresentation.of(user);
            audit.record(session, caller, "user.create", "user:" + name, null, created);
            return created;
        });
    }

    /** Changes a user's role and/or disables or re-enables them; disabling stops their tokens and ends their sessions. */
    public UserRepresentation updateUser(Caller caller, String id, Optional<Role> role, Optional<Boolean> disabled) {
        return database.inTransaction(session -> {
            UserEntity user = requireUser(session, id);
            UserRepresentation before = UserRepresentation.of(user);
            if (user.id.equals(caller.userId()) && (disabled.orElse(false) || role.filter(r -> r != Role.ADMIN).isPresent())) {
                throw ApiException.conflict("you cannot disable yourself or take away your own admin role; ask another admin");
            }
            role.ifPresent(r -> user.role = r);
            disabled.ifPresent(d -> user.disabledAt = d ? (user.disabledAt == null ? clock.instant() : user.disabledAt) : null);
            if (user.disabledAt != null) {
                SessionService.endSessions(session, user.id, Optional.empty());
            }
            UserRepresentation after = UserRepresentation.of(user);
            audit.record(session, caller, "user.update", "user:" + user.name, before, after);
            return after;
        });
    }

    public List<TokenRepresentation> tokens(Caller caller, Optional<String> userId) {
        String owner = userId.orElse(caller.userId());
        if (!owner.equals(caller.userId()) && caller.role() != Role.ADMIN) {
            throw ApiException.forbidden("only an admin may list another user's tokens");
        }
        return database.inTransaction(session -> session
                .createQuery("from ApiTokenEntity where userId = :user order by createdAt", ApiTokenEntity.class)
                .setParameter("user", owner)
                .getResultStream().map(TokenRepresentation::of).toList());
    }

    /** A new token; the returned value is the only time the token itself is seen. */
    public record CreatedToken(TokenRepresentation token, String secret) {
    }

    public CreatedToken createToken(Caller caller, Optional<String> userId, String name, Optional<Duration> lifetime) {
        String owner = userId.orElse(caller.userId());
        if (!owner.equals(caller.userId()) && caller.role() != Role.ADMIN) {
            throw ApiException.forbidden("only an admin may create tokens for another user");
        }
        if (name.isBlank() || name.length() > 100) {
            throw new ApiException(400, "invalid_name", "a token name is 1 to 100 characters", Map.of("field", "name"));
        }
        return database.inTransaction(session -> {
            UserEntity user = requireUser(session, owner);
            if (user.disabledAt != null) {
                throw ApiException.conflict("user '" + user.name + "' is disabled");
            }
            Instant now = clock.instant();
            String secret = Tokens.newToken();
            ApiTokenEntity token = new ApiTokenEntity(Ids.newId(), user.id, name, Tokens.hash(secret),
                    Tokens.displayPrefix(secret), now, lifetime.map(now::plus).orElse(null));
            session.persist(token);
            TokenRepresentation created = TokenRepresentation.of(token);
            audit.record(session, caller, "token.create", "token:" + token.id, null, created);
            return new CreatedToken(created, secret);
        });
    }

    /** Revokes a token at once: the next request with it gets 401. Revoking twice is harmless. */
    public TokenRepresentation revokeToken(Caller caller, String tokenId) {
        return database.inTransaction(session -> {
            ApiTokenEntity token = session.find(ApiTokenEntity.class, tokenId);
            if (token == null || (!token.userId.equals(caller.userId()) && caller.role() != Role.ADMIN)) {
                // another user's token is reported as absent, so its existence is not revealed
                throw ApiException.notFound("token '" + tokenId + "'");
            }
            if (token.revokedAt == null) {
                TokenRepresentation before = TokenRepresentation.of(token);
                token.revokedAt = clock.instant();
                audit.record(session, caller, "token.revoke", "token:" + token.id, before, TokenRepresentation.of(token));
            }
            return TokenRepresentation.of(token);
        });
    }

    /** The SDK an SDK token stands for, if the token is known (deleting a token stops it at once). */
    public Optional<SdkClient> authenticateSdk(String token) {
        if (!token.startsWith(Tokens.SDK_PREFIX)) {
            return Optional.empty();
        }
        String hash = Tokens.hash(token);
        Instant now = clock.instant();
        return database.inTransaction(session -> {
            List<SdkTokenEntity> rows = session.createQuery("from SdkTokenEntity where tokenHash = :hash", SdkTokenEntity.class)
                    .setParameter("hash", hash)
                    .getResultList();
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            SdkTokenEntity t = rows.get(0);
            if (t.lastUsedAt == null || t.lastUsedAt.plus(LAST_USED_GRANULARITY).isBefore(now)) {
                t.lastUsedAt = now;
            }
            return Optional.of(new SdkClient(t.id, t.name, t.environment));
        });
    }

    /** A new SDK token; the returned value is the only time the token itself is seen. */
    public record CreatedSdkToken(SdkTokenRepresentation token, String secret) {
    }

    public CreatedSdkToken createSdkToken(Caller caller, String environment, String name) {
        if (!ENVIRONMENT.matcher(environment).matches()) {
            throw new ApiException(400, "invalid_field",
                    "an environment's name is 1 to 63 lowercase letters, digits or '-', starting with a letter or digit",
                    Map.of("field", "environment"));
        }
        if (name.isBlank() || name.length() > 100) {
            throw new ApiException(400, "invalid_name", "an SDK token's name is 1 to 100 characters", Map.of("field", "name"));
        }
        return database.inTransaction(session -> {
            String secret = Tokens.newSdkToken();
            SdkTokenEntity token = new SdkTokenEntity(Ids.newId(), environment, name, Tokens.hash(secret),
                    Tokens.displayPrefix(secret), clock.instant(), caller.name());
            session.persist(token);
            SdkTokenRepresentation created = SdkTokenRepresentation.of(token);
            audit.record(session, caller, "sdk_token.create", "sdk_token:" + token.id, null, created);
            return new CreatedSdkToken(created, secret);
        });
    }

    public List<SdkTokenRepresentation> sdkTokens(Optional<String> environment) {
        return database.inTransaction(session -> {
            var query = environment.isPresent()
                    ? session.createQuery("from SdkTokenEntity where environment = :environment order by createdAt",
                            SdkTokenEntity.class).setParameter("environment", environment.get())
                    : session.createQuery("from SdkTokenEntity order by environment, createdAt", SdkTokenEntity.class);
            return query.getResultStream().map(SdkTokenRepresentation::of).toList();
        });
    }

    /** Deletes an SDK token: the next request with it gets 401, and streams it holds open end. */
    public SdkTokenRepresentation deleteSdkToken(Caller caller, String id) {
        return database.inTransaction(session -> {
            SdkTokenEntity token = session.find(SdkTokenEntity.class, id);
            if (token == null) {
                throw ApiException.notFound("SDK token '" + id + "'");
            }
            SdkTokenRepresentation deleted = SdkTokenRepresentation.of(token);
            session.remove(token);
            audit.record(session, caller, "sdk_token.delete", "sdk_token:" + id, deleted, null);
            return deleted;
        });
    }

    private static UserEntity requireUser(Session session, String id) {
        UserEntity user = session.find(UserEntity.class, id);
        if (user == null) {
            throw ApiException.notFound("user '" + id + "'");
        }
        return user;
    }
}
