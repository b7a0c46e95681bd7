package dev.gantry.server.scm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.plugin.api.scm.ScmCredentials;
import dev.gantry.server.audit.AuditService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import dev.gantry.server.secrets.SecretService;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Registered repositories; their webhook secret and checkout credentials live in the secrets store. */
public class RepositoryService {
    static final String WEBHOOK_SECRET = "webhook-secret";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}(/[A-Za-z0-9._-]{1,100}){0,3}");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/*-]{1,200}");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final SecretService secrets;
    private final ScmProviders providers;
    private final AuditService audit;
    private final Clock clock;
    private final Map<String, Repository> byId = new ConcurrentHashMap<>();

    @Inject
    public RepositoryService(Database database, SecretService secrets, ScmProviders providers, AuditService audit, Clock clock) {
        this.database = database;
        this.secrets = secrets;
        this.providers = providers;
        this.audit = audit;
        this.clock = clock;
    }

    /** What {@code POST /api/repos} takes; only name and url are required. */
    public record Registration(String name, String url, String provider, String defaultBranch, List<String> branches,
                               String webhookSecret, CredentialNames credentials) {
    }

    public record CredentialNames(String username, String tokenSecret, String sshKeySecret) {
    }

    public RepositoryRepresentation register(Caller caller, Registration request) {
        if (request == null || request.name() == null) {
            throw ApiException.missingField("name");
        }
        if (request.url() == null) {
            throw ApiException.missingField("url");
        }
        if (!NAME.matcher(request.name()).matches()) {
            throw invalid("name", "a repository name is like 'acme/shop': letters, digits, '.', '_', '-', separated by '/'");
        }
        String urlKey = RepositoryUrls.key(request.url()).orElseThrow(() -> invalid("url",
                "'" + RepositoryUrls.withoutCredentials(request.url()) + "' is not a git URL (https://…, ssh://…, git@host:path or a local path)"));
        if (request.url().matches(".*://[^/@]+:[^/@]+@.*")) {
            throw invalid("url", "put credentials in a secret and name it in credentials.token_secret, not in the URL");
        }
        String provider = Optional.ofNullable(request.provider()).orElse("github");
        providers.require(provider);
        String defaultBranch = Optional.ofNullable(request.defaultBranch()).orElse("main");
        if (!BRANCH.matcher(defaultBranch).matches() || defaultBranch.contains("*")) {
            throw invalid("default_branch", "not a branch name: " + defaultBranch);
        }
        List<String> branches = Optional.ofNullable(request.branches()).orElse(List.of());
        for (String branch : branches) {
            if (branch == null || !BRANCH.matcher(branch).matches()) {
                throw invalid("branches", "a branch filter is a branch name or a glob such as 'release/*'");
            }
        }
        Repository.Credentials credentials = credentials(request.credentials());
        String webhookSecret = Optional.ofNullable(request.webhookSecret()).orElseGet(RepositoryService::newSecret);
        if (webhookSecret.length() < 16) {
            throw invalid("webhook_secret", "a webhook secret is at least 16 characters long");
        }
        Repository repository = new Repository(Ids.newId(), request.name(), request.url().trim(), provider, defaultBranch,
                List.copyOf(branches), credentials, clock.instant(), caller.name());
        database.runInTransaction(session -> {
            boolean taken = !session.createQuery("select 1 from RepositoryEntity where name = :name or urlKey = :key", Integer.class)
                    .setParameter("name", repository.name()).setParameter("key", urlKey).getResultList().isEmpty();
            if (taken) {
                throw ApiException.conflict("a repository named '" + repository.name() + "' or with this URL is already registered");
            }
            session.persist(entity(repository, urlKey));
            audit.record(session, caller, "repo.create", "repo:" + repository.name(), null, RepositoryRepresentation.of(repository, null));
        });
        secrets.put(caller, repository.secretScope(), WEBHOOK_SECRET, webhookSecret);
        // shown once, unless the caller chose it
        return RepositoryRepresentation.of(repository, request.webhookSecret() == null ? webhookSecret : null);
    }

    public List<RepositoryRepresentation> list() {
        return database.inTransaction(session -> session.createQuery("from RepositoryEntity order by name", RepositoryEntity.class)
                .getResultStream().map(RepositoryService::repository).map(r -> RepositoryRepresentation.of(r, null)).toList());
    }

    public Repository get(String idOrName) {
        return find(idOrName).orElseThrow(() -> ApiException.notFound("repository '" + idOrName + "'"));
    }

    /**
     * The repository with this id, as builds name it. Kept in memory once read: a registered repository never
     * changes, and deleting it deletes its builds, so a stale entry on another replica is never asked for by a build
     * that still holds its lease.
     */
    public Repository byId(String id) {
        Repository cached = byId.get(id);
        if (cached != null) {
            return cached;
        }
        Repository found = get(id);
        if (found.id().equals(id)) {
            byId.put(id, found);
        }
        return found;
    }

    // read with plain SQL: webhooks and every build read repositories, and a Hibernate session costs 2-3 ms more
    public Optional<Repository> find(String idOrName) {
        return database.read(connection -> {
            try (PreparedStatement query = connection.prepareStatement(SELECT + " where id = ? or name = ? limit 1")) {
                query.setString(1, idOrName);
                query.setString(2, idOrName);
                return repositories(query).stream().findFirst();
            }
        });
    }

    /** The registered repositories any of {@code urls} names (a webhook's clone, SSH and web URLs). */
    public List<Repository> findByUrls(Collection<String> urls) {
        List<String> keys = urls.stream().map(RepositoryUrls::key).flatMap(Optional::stream).distinct().toList();
        if (keys.isEmpty()) {
            return List.of();
        }
        return database.read(connection -> {
            try (PreparedStatement query = connection.prepareStatement(SELECT + " where url_key = any (?)")) {
                query.setArray(1, connection.createArrayOf("text", keys.toArray()));
                return repositories(query);
            }
        });
    }

    private static final String SELECT =
            "select id, name, url, provider, default_branch, branches, credentials, created_at, created_by from repos";

    private static List<Repository> repositories(PreparedStatement query) throws SQLException {
        List<Repository> found = new ArrayList<>();
        try (ResultSet row = query.executeQuery()) {
            while (row.next()) {
                RepositoryEntity entity = new RepositoryEntity();
                entity.id = row.getString("id");
                entity.name = row.getString("name");
                entity.url = row.getString("url");
                entity.provider = row.getString("provider");
                entity.defaultBranch = row.getString("default_branch");
                entity.branches = (String[]) row.getArray("branches").getArray();
                entity.credentials = row.getString("credentials");
                entity.createdAt = row.getTimestamp("created_at").toInstant();
                entity.createdBy = row.getString("created_by");
                found.add(repository(entity));
            }
        }
        return found;
    }

    public void delete(Caller caller, String idOrName) {
        Repository repository = get(idOrName);
        byId.remove(repository.id());
        database.runInTransaction(session -> {
            RepositoryEntity entity = session.find(RepositoryEntity.class, repository.id());
            audit.record(session, caller, "repo.delete", "repo:" + repository.name(), RepositoryRepresentation.of(repository, null), null);
            session.remove(entity);
        });
    }

    public Optional<String> webhookSecret(Repository repository) {
        return secrets.reveal(repository.secretScope(), WEBHOOK_SECRET);
    }

    /** The checkout credentials, read from the secrets store; a named secret that is not set is an error. */
    public Optional<ScmCredentials> checkoutCredentials(Repository repository) {
        Repository.Credentials names = repository.credentials();
        if (names.tokenSecret().isEmpty() && names.sshKeySecret().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ScmCredentials(names.username(),
                names.tokenSecret().map(name -> requireSecret(repository, name)),
                names.sshKeySecret().map(name -> requireSecret(repository, name))));
    }

    private String requireSecret(Repository repository, String name) {
        return secrets.reveal(repository.secretScope(), name).orElseThrow(() -> new IllegalStateException(
                "the secret '" + name + "' (scope " + repository.secretScope() + ") that the repository's credentials name is not set"));
    }

    private static Repository.Credentials credentials(CredentialNames names) {
        if (names == null) {
            return Repository.Credentials.NONE;
        }
        checkSecretName("credentials.token_secret", names.tokenSecret());
        checkSecretName("credentials.ssh_key_secret", names.sshKeySecret());
        return new Repository.Credentials(Optional.ofNullable(names.username()), Optional.ofNullable(names.tokenSecret()),
                Optional.ofNullable(names.sshKeySecret()));
    }

    private static void checkSecretName(String field, String name) {
        if (name != null && !SECRET_NAME.matcher(name).matches()) {
            throw invalid(field, "a secret name is letters, digits, '_', '.', '-', starting with a letter or '_'");
        }
    }

    private static RepositoryEntity entity(Repository repository, String urlKey) {
        RepositoryEntity entity = new RepositoryEntity();
        entity.id = repository.id();
        entity.name = repository.name();
        entity.url = repository.url();
        entity.urlKey = urlKey;
        entity.provider = repository.provider();
        entity.defaultBranch = repository.defaultBranch();
        entity.branches = repository.branches().toArray(String[]::new);
        Map<String, String> credentials = new LinkedHashMap<>();
        repository.credentials().username().ifPresent(value -> credentials.put("username", value));
        repository.credentials().tokenSecret().ifPresent(value -> credentials.put("token_secret", value));
        repository.credentials().sshKeySecret().ifPresent(value -> credentials.put("ssh_key_secret", value));
        entity.credentials = Json.write(credentials);
        entity.createdAt = repository.createdAt();
        entity.createdBy = repository.createdBy();
        return entity;
    }

    private static Repository repository(RepositoryEntity entity) {
        JsonNode credentials;
        try {
            credentials = Json.mapper().readTree(entity.credentials);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("repository " + entity.name + " has unreadable credentials", e);
        }
        return new Repository(entity.id, entity.name, entity.url, entity.provider, entity.defaultBranch,
                Arrays.asList(entity.branches),
                new Repository.Credentials(text(credentials, "username"), text(credentials, "token_secret"), text(credentials, "ssh_key_secret")),
                entity.createdAt, entity.createdBy);
    }

    private static Optional<String> text(JsonNode node, String field) {
        return Optional.ofNullable(node.get(field)).map(JsonNode::asText);
    }

    private static String newSecret() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static ApiException invalid(String field, String message) {
        return new ApiException(400, "invalid_field", message, Map.of("field", field));
    }
}
