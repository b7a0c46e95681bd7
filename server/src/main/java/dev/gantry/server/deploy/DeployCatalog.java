package dev.gantry.server.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.gantry.server.audit.AuditService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.pipeline.DeploySpec;
import dev.gantry.server.pipeline.PipelineException;
import dev.gantry.server.pipeline.PipelineParser;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Services, environments and releases: what can be deployed, where, and what each deploy installed. */
public class DeployCatalog {
    private final Database database;
    private final AuditService audit;

    @Inject
    public DeployCatalog(Database database, AuditService audit) {
        this.database = database;
        this.audit = audit;
    }

    public record ServiceRepresentation(String name, String source, DeploySpec spec, Instant updatedAt, String updatedBy) {
    }

    public record ReleaseRepresentation(String releaseId, String service, String artifactSha, Optional<String> commitSha,
                                        Optional<String> buildId, Object config, Instant createdAt, String createdBy,
                                        List<String> deployedTo) {
    }

    /** Registers or replaces a service from the JSON (or YAML) of a pipeline's deploy: section. */
    public ServiceRepresentation putService(Caller caller, byte[] body) {
        DeploySpec spec;
        try {
            spec = PipelineParser.parseDeploy(body);
        } catch (PipelineException e) {
            throw new ApiException(400, "invalid_service", e.getMessage(), Map.of("problems", e.problems()));
        }
        database.inSqlTransaction(connection -> {
            Optional<ServiceRepresentation> before = service(connection, spec.service());
            upsert(connection, spec, "api", null, caller.name());
            audit.record(connection, caller, "service.put", spec.service(), before.map(ServiceRepresentation::spec).orElse(null), spec);
            return null;
        });
        return service(spec.service());
    }

    /** Keeps the service as the latest passing build of {@code repoId} describes it. */
    void putServiceFromPipeline(Connection connection, DeploySpec spec, String repoId) throws SQLException {
        upsert(connection, spec, "pipeline", repoId, "system");
    }

    private static void upsert(Connection connection, DeploySpec spec, String source, String repoId, String by) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                insert into services (name, spec, source, repo_id, created_at, updated_at, updated_by)
                values (?, ?::jsonb, ?, ?, now(), now(), ?)
                on conflict (name) do update set spec = excluded.spec, source = excluded.source, repo_id = excluded.repo_id,
                    updated_at = now(), updated_by = excluded.updated_by""")) {
            upsert.setString(1, spec.service());
            upsert.setString(2, Json.write(spec));
            upsert.setString(3, source);
            upsert.setString(4, repoId);
            upsert.setString(5, by);
            upsert.executeUpdate();
        }
    }

    public ServiceRepresentation service(String name) {
        return database.inSqlTransaction(connection -> service(connection, name))
                .orElseThrow(() -> ApiException.notFound("service '" + name + "'"));
    }

    Optional<ServiceRepresentation> service(Connection connection, String name) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select name, spec, source, updated_at, updated_by from services where name = ?")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(serviceRow(row)) : Optional.empty();
            }
        }
    }

    public List<ServiceRepresentation> services() {
        return database.inSqlTransaction(connection -> {
            List<ServiceRepresentation> services = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "select name, spec, source, updated_at, updated_by from services order by name");
                 ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    services.add(serviceRow(rows));
                }
            }
            return services;
        });
    }

    private static ServiceRepresentation serviceRow(ResultSet row) throws SQLException {
        return new ServiceRepresentation(row.getString(1), row.getString(3), read(row.getString(2), DeploySpec.class),
                row.getTimestamp(4).toInstant(), row.getString(5));
    }

    public EnvironmentSpec putEnvironment(Caller caller, String name, EnvironmentSpec spec) {
        if (spec == null) {
            throw ApiException.missingField("regions");
        }
        EnvironmentSpec named = spec.name() == null ? withName(spec, name) : spec;
        if (!named.name().equals(name)) {
            throw EnvironmentSpec.invalid("name", "the body names the environment '" + named.name() + "' but the path names '" + name + "'");
        }
        named.validate();
        database.inSqlTransaction(connection -> {
            Optional<EnvironmentSpec> before = environment(connection, name);
            try (PreparedStatement upsert = connection.prepareStatement("""
                    insert into environments (name, spec, created_at, updated_at, updated_by) values (?, ?::jsonb, now(), now(), ?)
                    on conflict (name) do update set spec = excluded.spec, updated_at = now(), updated_by = excluded.updated_by""")) {
                upsert.setString(1, name);
                upsert.setString(2, Json.write(named));
                upsert.setString(3, caller.name());
                upsert.executeUpdate();
            }
            audit.record(connection, caller, "environment.put", name, before.orElse(null), named);
            return null;
        });
        return named;
    }

    private static EnvironmentSpec withName(EnvironmentSpec spec, String name) {
        return new EnvironmentSpec(name, spec.regions(), spec.approvals(), spec.approvalBetweenSteps(), spec.requiresSuccessIn(),
                spec.freezeWindows(), spec.maxErrorRate(), spec.minRequests(), spec.bake(), spec.healthTimeout(), spec.analysis());
    }

    public EnvironmentSpec environment(String name) {
        return database.inSqlTransaction(connection -> environment(connection, name))
                .orElseThrow(() -> ApiException.notFound("environment '" + name + "'"));
    }

    Optional<EnvironmentSpec> environment(Connection connection, String name) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select spec from environments where name = ?")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(read(row.getString(1), EnvironmentSpec.class)) : Optional.empty();
            }
        }
    }

    public List<EnvironmentSpec> environments() {
        return database.inSqlTransaction(connection -> {
            List<EnvironmentSpec> environments = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("select spec from environments order by name");
                 ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    environments.add(read(rows.getString(1), EnvironmentSpec.class));
                }
            }
            return environments;
        });
    }

    /** The service's releases, newest first, each with the environments where a deploy of it succeeded. */
    public List<ReleaseRepresentation> releases(String service, int limit) {
        service(service);
        return database.inSqlTransaction(connection -> {
            List<ReleaseRepresentation> releases = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("""
                    select r.id, r.service, r.artifact_digest, r.commit_sha, r.build_id, r.config, r.created_at, r.created_by,
                        coalesce((select array_agg(distinct d.environment order by d.environment) from deploys d
                                  where d.release_id = r.id and d.state = 'succeeded'), '{}')
                    from releases r where r.service = ? order by r.created_at desc, r.id desc limit ?""")) {
                query.setString(1, service);
                query.setInt(2, limit);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        releases.add(new ReleaseRepresentation(rows.getString(1), rows.getString(2), rows.getString(3),
                                Optional.ofNullable(rows.getString(4)), Optional.ofNullable(rows.getString(5)),
                                read(rows.getString(6), Object.class), rows.getTimestamp(7).toInstant(), rows.getString(8),
                                List.of((String[]) rows.getArray(9).getArray())));
                    }
                }
            }
            return releases;
        });
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return Json.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
