package dev.gantry.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.build.BuildPassedListener;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.pipeline.DeploySpec;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pipeline.yaml's {@code auto_deploy}: a passing build of the default branch updates its service and deploys to the
 * listed environments that need no earlier one (e.g. staging); an environment that requires success in another
 * (e.g. production after staging) is deployed when that one succeeds, behind its approvals.
 */
class AutoDeploy implements BuildPassedListener {
    private static final Logger log = LoggerFactory.getLogger(AutoDeploy.class);
    private final Database database;
    private final DeployCatalog catalog;
    private final DeployService deploys;

    @Inject
    AutoDeploy(Database database, DeployCatalog catalog, DeployService deploys) {
        this.database = database;
        this.catalog = catalog;
        this.deploys = deploys;
    }

    private record PassedBuild(DeploySpec spec, String digest) {
    }

    @Override
    public void buildPassed(String buildId) {
        Optional<PassedBuild> passed = database.inSqlTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement("""
                    select b.branch, r.default_branch, b.pipeline, b.artifact_digest, r.id
                    from builds b join repos r on r.id = b.repo_id where b.id = ?""")) {
                query.setString(1, buildId);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next() || !row.getString(1).equals(row.getString(2)) || row.getString(3) == null) {
                        return Optional.<PassedBuild>empty();
                    }
                    JsonNode deploy = Json.mapper().readTree(row.getString(3)).get("deploy");
                    if (deploy == null || deploy.isNull()) {
                        return Optional.<PassedBuild>empty();
                    }
                    DeploySpec spec = Json.mapper().treeToValue(deploy, DeploySpec.class);
                    catalog.putServiceFromPipeline(connection, spec, row.getString(5));
                    return Optional.ofNullable(row.getString(4)).map(digest -> new PassedBuild(spec, digest));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("the stored pipeline of build " + buildId + " is not readable", e);
            }
        });
        passed.ifPresent(build -> start(build.spec(), build.digest(), environment -> environment.requiresSuccessIn()
                .filter(build.spec().autoDeploy()::contains).isEmpty(), "build " + buildId));
    }

    /** After a deploy succeeded: the auto_deploy environments that were waiting for success in this one. */
    void deploySucceeded(DeployRow deploy) {
        if (!deploy.kind().equals("deploy")) {
            return;
        }
        DeploySpec spec = database.inSqlTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement("select config -> 'deploy' from releases where id = ?")) {
                query.setString(1, deploy.releaseId());
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return DeployCatalog.read(row.getString(1), DeploySpec.class);
                }
            }
        });
        start(spec, deploy.artifactDigest(), environment -> environment.requiresSuccessIn().equals(Optional.of(deploy.environment())),
                "deploy " + deploy.id());
    }

    private void start(DeploySpec spec, String digest, java.util.function.Predicate<EnvironmentSpec> now, String cause) {
        List<String> names = spec.autoDeploy();
        for (String name : names) {
            try {
                EnvironmentSpec environment = catalog.environment(name);
                if (!now.test(environment)) {
                    continue;
                }
                DeployRepresentation started = deploys.start(Caller.SYSTEM, new DeployService.DeployRequest(spec.service(), digest,
                        name, Optional.empty(), Optional.of(true), Optional.empty()));
                log.info("Auto-deploy of {} to {} after {}: deploy {}", spec.service(), name, cause, started.deployId());
            } catch (RuntimeException e) {
                log.warn("Auto-deploy of {} to {} after {} did not start: {}", spec.service(), name, cause, e.getMessage());
            }
        }
    }
}
