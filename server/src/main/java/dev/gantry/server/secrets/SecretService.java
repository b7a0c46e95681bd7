package dev.gantry.server.secrets;

import dev.gantry.server.audit.AuditService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Secrets encrypted with AES-256-GCM under the master key; the scope and name are bound into each ciphertext
 * (associated data), so a ciphertext moved to another row does not decrypt.
 */
public class SecretService {
    private static final Pattern SCOPE = Pattern.compile("(global|repo:[A-Za-z0-9._/-]{1,200}|environment:[a-z0-9-]{1,63})");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final AuditService audit;
    private final MasterKey masterKey;
    private final Clock clock;

    @Inject
    public SecretService(Database database, AuditService audit, MasterKey masterKey, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.masterKey = masterKey;
        this.clock = clock;
    }

    public List<SecretRepresentation> list(Optional<String> scope) {
        return database.inTransaction(session -> session
                .createQuery("from SecretEntity where (:scope is null or scope = :scope) order by scope, name", SecretEntity.class)
                .setParameter("scope", scope.orElse(null))
                .getResultStream().map(SecretRepresentation::of).toList());
    }

    /** Creates or replaces the secret; the value is never returned or logged. */
    public SecretRepresentation put(Caller caller, String scope, String name, String value) {
        if (!SCOPE.matcher(scope).matches()) {
            throw new ApiException(400, "invalid_scope", "scope is 'global', 'repo:<owner/name>' or 'environment:<name>'",
                    Map.of("field", "scope"));
        }
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(400, "invalid_name", "a secret name is letters, digits, '_', '.', '-', starting with a letter or '_'",
                    Map.of("field", "name"));
        }
        if (value.length() > 65_536) {
            throw new ApiException(400, "too_large", "a secret value is at most 64 KiB", Map.of("field", "value"));
        }
        return database.inTransaction(session -> {
            SecretEntity secret = session.createQuery("from SecretEntity where scope = :scope and name = :name", SecretEntity.class)
                    .setParameter("scope", scope).setParameter("name", name)
                    .uniqueResultOptional().orElse(null);
            Instant now = clock.instant();
            SecretRepresentation before = secret == null ? null : SecretRepresentation.of(secret);
            if (secret == null) {
                secret = new SecretEntity();
                secret.id = Ids.newId();
                secret.scope = scope;
                secret.name = name;
                secret.createdAt = now;
            }
            secret.nonce = new byte[12];
            RANDOM.nextBytes(secret.nonce);
            secret.ciphertext = crypt(Cipher.ENCRYPT_MODE, secret.nonce, scope, name, value.getBytes(StandardCharsets.UTF_8));
            secret.updatedAt = now;
            secret.updatedBy = caller.name();
            session.persist(secret);
            SecretRepresentation after = SecretRepresentation.of(secret);
            audit.record(session, caller, before == null ? "secret.create" : "secret.update", "secret:" + scope + "/" + name, before, after);
            return after;
        });
    }

    public void delete(Caller caller, String id) {
        database.runInTransaction(session -> {
            SecretEntity secret = session.find(SecretEntity.class, id);
            if (secret == null) {
                throw ApiException.notFound("secret '" + id + "'");
            }
            audit.record(session, caller, "secret.delete", "secret:" + secret.scope + "/" + secret.name,
                    SecretRepresentation.of(secret), null);
            session.remove(secret);
        });
    }

    /** The decrypted value, for the server's own use (plugins, checkouts); never for an API response. */
    public Optional<String> reveal(String scope, String name) {
        // plain SQL: webhooks and builds read secrets on their hot path, where a Hibernate session costs milliseconds
        return database.read(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select nonce, ciphertext from secrets where scope = ? and name = ?")) {
                query.setString(1, scope);
                query.setString(2, name);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new String(crypt(Cipher.DECRYPT_MODE, row.getBytes("nonce"), scope, name,
                            row.getBytes("ciphertext")), StandardCharsets.UTF_8));
                }
            }
        });
    }

    private byte[] crypt(int mode, byte[] nonce, String scope, String name, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, masterKey.aesKey(), new GCMParameterSpec(128, nonce));
            cipher.updateAAD((scope + "\u0000" + name).getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("secret " + scope + "/" + name + " cannot be "
                    + (mode == Cipher.ENCRYPT_MODE ? "encrypted" : "decrypted: is this the master key it was written with?"), e);
        }
    }
}
