package dev.gantry.server.deploy;

import dev.gantry.server.artifact.ArtifactDigest;
import dev.gantry.server.artifact.ArtifactRepresentation;
import dev.gantry.server.artifact.ArtifactService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import dev.gantry.server.pipeline.DeploySpec;
import dev.gantry.server.pipeline.DeploySpec.StrategyType;
import jakarta.inject.Inject;
import dev.gantry.server.http.HttpServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Starting deploys and the people's actions on them; the {@link DeployController} drives them. */
public class DeployService {
    private final Database database;
    private final DeployStore store;
    private final DeployCatalog catalog;
    private final ArtifactService artifacts;
    private final DeployTargets targets;
    private final HttpServer http;
    private final Clock clock;

    @Inject
    public DeployService(Database database, DeployStore store, DeployCatalog catalog, ArtifactService artifacts,
                         DeployTargets targets, HttpServer http, Clock clock) {
        this.http = http;
        this.database = database;
        this.store = store;
        this.catalog = catalog;
        this.artifacts = artifacts;
        this.targets = targets;
        this.clock = clock;
    }

    /** {@code POST /api/deploys}: {@code queue} waits for a running deploy instead of a 409. */
    public record DeployRequest(String service, String artifactSha, String environment, Optional<String> strategy,
                                Optional<Boolean> queue, Optional<Boolean> override) {
    }

    public DeployRepresentation start(Caller caller, DeployRequest request) {
        if (request == null || request.service() == null) {
            throw ApiException.missingField("service");
        }
        if (request.artifactSha() == null) {
            throw ApiException.missingField("artifact_sha");
        }
        if (request.environment() == null) {
            throw ApiException.missingField("environment");
        }
        ArtifactDigest digest = ArtifactDigest.parse(request.artifactSha());
        DeployCatalog.ServiceRepresentation service = catalog.service(request.service());
        EnvironmentSpec environment = catalog.environment(request.environment());
        boolean override = request.override().orElse(false);
        if (override && !caller.role().includes(Role.ADMIN)) {
            throw ApiException.forbidden("only an admin may override the environment's rules (override: true)");
        }
        StrategyType strategy = request.strategy().map(DeployService::strategy).orElse(service.spec().strategy().type());
        if (!override) {
            environment.frozenAt(ZonedDateTime.now(clock)).ifPresent(window -> {
                throw new ApiException(409, "environment_frozen", "deploys to " + environment.name() + " are frozen now ("
                        + String.join(",", window.days()) + " " + window.from() + "-" + window.to() + " "
                        + window.zone().orElse("UTC") + window.reason().map(reason -> ": " + reason).orElse("")
                        + "); only rollbacks may run, or an admin with override: true", Map.of("environment", environment.name()));
            });
        }
        ArtifactRepresentation artifact = artifacts.requireAvailable(digest);
        String id = Ids.newId();
        DeploySpec spec = service.spec();
        int instances = spec.instancesIn(environment.name());
        int approvals = Math.max(environment.requiredApprovals(),
                Optional.ofNullable(spec.approvals().get(environment.name())).map(DeploySpec.Approval::required).orElse(0));
        String releaseId = database.inSqlTransaction(connection -> {
            if (!override) {
                requireSuccessIn(connection, environment, service.name(), digest);
            }
            return release(connection, caller, service.spec(), environment.name(), artifact);
        });
        artifacts.pin(caller, digest, "release:" + releaseId, Optional.of("release of " + service.name()), http.url());
        database.inSqlTransaction(connection -> {
            Optional<String> previous = store.currentRelease(connection, service.name(), environment.name());
            if (previous.isPresent() && previous.get().equals(releaseId)) {
                throw new ApiException(409, "already_deployed", service.name() + " already runs " + digest + " in "
                        + environment.name() + " (release " + releaseId + ")", Map.of("release_id", releaseId));
            }
            List<PlanStep> plan = DeployPlans.deploy(new DeployPlans.Inputs(strategy, spec.strategy(), instances, environment,
                    releaseId, previous, approvals));
            Optional<String> holder = store.lock(connection, service.name(), environment.name(), id);
            String state = "pending";
            if (holder.isPresent()) {
                if (!request.queue().orElse(false)) {
                    throw new ApiException(409, "deploy_in_progress", "deploy " + holder.get() + " of " + service.name()
                            + " to " + environment.name() + " is running; wait for it, roll it back, or ask to queue (queue: true)",
                            Map.of("deploy_id", holder.get()));
                }
                state = "queued";
            }
            insert(connection, id, service.name(), environment.name(), releaseId, previous, "deploy", Optional.empty(),
                    strategy.id(), state, plan, caller, override);
            store.transition(connection, id, null, state, null, "create", caller.name(),
                    (override ? "admin override; " : "") + "deploy " + digest + " with " + strategy.id()
                            + holder.map(h -> "; queued behind " + h).orElse(""));
            return null;
        });
        return get(id, false);
    }

    /**
     * The plan of a deploy that waited in the queue, made again when it starts: the release the environment runs may
     * have changed meanwhile (the deploy ahead of it succeeded or rolled back), and the plan shifts traffic from that one.
     */
    record Replanned(Optional<String> previous, List<PlanStep> plan) {
    }

    Replanned replan(Connection connection, DeployRow deploy) throws SQLException {
        EnvironmentSpec environment = catalog.environment(connection, deploy.environment()).orElseThrow();
        DeploySpec spec = releaseSpec(connection, deploy.releaseId());
        Optional<String> previous = store.currentRelease(connection, deploy.service(), deploy.environment())
                .filter(current -> !current.equals(deploy.releaseId()));
        int approvals = Math.max(environment.requiredApprovals(),
                Optional.ofNullable(spec.approvals().get(environment.name())).map(DeploySpec.Approval::required).orElse(0));
        return new Replanned(previous, DeployPlans.deploy(new DeployPlans.Inputs(StrategyType.fromId(deploy.strategy()),
                spec.strategy(), spec.instancesIn(environment.name()), environment, deploy.releaseId(), previous, approvals)));
    }

    private static DeploySpec releaseSpec(Connection connection, String releaseId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select config -> 'deploy' from releases where id = ?")) {
            query.setString(1, releaseId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return DeployCatalog.read(row.getString(1), DeploySpec.class);
            }
        }
    }

    private static StrategyType strategy(String text) {
        try {
            return StrategyType.fromId(text);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid_field", "strategy is canary, blue_green or rolling; not '" + text + "'",
                    Map.of("field", "strategy"));
        }
    }

    private void requireSuccessIn(Connection connection, EnvironmentSpec environment, String service, ArtifactDigest digest)
            throws SQLException {
        if (environment.requiresSuccessIn().isEmpty()) {
            return;
        }
        String before = environment.requiresSuccessIn().get();
        try (PreparedStatement query = connection.prepareStatement("""
                select 1 from deploys d join releases r on r.id = d.release_id
                where d.service = ? and d.environment = ? and d.state = 'succeeded' and r.artifact_digest = ? limit 1""")) {
            query.setString(1, service);
            query.setString(2, before);
            query.setString(3, digest.toString());
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    throw new ApiException(409, "not_proven", environment.name() + " accepts only artifacts that were deployed "
                            + "successfully to " + before + " first; " + digest + " of " + service + " was not (an admin may override)",
                            Map.of("requires_success_in", before));
                }
            }
        }
    }

    /** The release of this digest with this configuration: an existing identical one, or a new one. */
    private String release(Connection connection, Caller caller, DeploySpec spec, String environment, ArtifactRepresentation artifact)
            throws SQLException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("environment", environment);
        config.put("deploy", spec);
        String configJson = Json.write(config);
        try (PreparedStatement existing = connection.prepareStatement(
                "select id from releases where service = ? and artifact_digest = ? and config = ?::jsonb order by created_at limit 1")) {
            existing.setString(1, spec.service());
            existing.setString(2, artifact.sha());
            existing.setString(3, configJson);
            try (ResultSet row = existing.executeQuery()) {
                if (row.next()) {
                    return row.getString(1);
                }
            }
        }
        Optional<ArtifactRepresentation.Provenance> provenance = artifact.provenance().stream()
                .filter(p -> spec.service().equals(p.service())).findFirst()
                .or(() -> artifact.provenance().stream().findFirst());
        String id = Ids.newId();
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into releases (id, service, artifact_digest, commit_sha, build_id, config, created_at, created_by)
                values (?, ?, ?, ?, ?, ?::jsonb, now(), ?)""")) {
            insert.setString(1, id);
            insert.setString(2, spec.service());
            insert.setString(3, artifact.sha());
            insert.setString(4, provenance.map(ArtifactRepresentation.Provenance::commitSha).orElse(null));
            insert.setString(5, provenance.map(ArtifactRepresentation.Provenance::buildId).orElse(null));
            insert.setString(6, configJson);
            insert.setString(7, caller.name());
            insert.executeUpdate();
        }
        return id;
    }

    private static void insert(Connection connection, String id, String service, String environment, String releaseId,
                               Optional<String> previous, String kind, Optional<String> rollbackOf, String strategy, String state,
                               List<PlanStep> plan, Caller caller, boolean override) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into deploys (id, service, environment, release_id, previous_release_id, kind, rollback_of, strategy, state,
                    plan, step, step_started_at, initiated_by, admin_override, created_at, updated_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, 0, now(), ?, ?, now(), now())""")) {
            insert.setString(1, id);
            insert.setString(2, service);
            insert.setString(3, environment);
            insert.setString(4, releaseId);
            insert.setString(5, previous.orElse(null));
            insert.setString(6, kind);
            insert.setString(7, rollbackOf.orElse(null));
            insert.setString(8, strategy);
            insert.setString(9, state);
            insert.setString(10, Json.write(plan));
            insert.setString(11, caller.name());
            insert.setBoolean(12, override);
            insert.executeUpdate();
        }
    }

    /**
     * An outside health signal ({@code POST /api/webhooks/health}): the deploy in progress for the service in the
     * environment rolls back, as a failed gate would. A deploy already rolling back stays as it is.
     */
    public RollbackRepresentation rollBackOnAlert(String service, String environment, String reason) {
        return database.inSqlTransaction(connection -> {
            String id = store.holder(connection, service, environment).orElseThrow(() -> new ApiException(409, "no_deploy_in_progress",
                    "no deploy of " + service + " to " + environment + " is in progress; to undo a finished one, "
                            + "POST /api/deploys/{id}/rollback"));
            DeployRow deploy = require(connection, id, true);
            if (!deploy.state().equals("rolling_back") && DeployRow.ACTIVE.contains(deploy.state())) {
                turnAround(connection, deploy, "health-webhook", "health webhook: " + reason);
            }
            DeployRow now = require(connection, id, false);
            return new RollbackRepresentation(id, now.state().equals("rolling_back") ? deploy.previousDigest() : Optional.empty(),
                    now.state());
        });
    }

    /** What {@code POST /api/deploys/{id}/rollback} answers. */
    public record RollbackRepresentation(String deployId, Optional<String> rolledBackTo, String status) {
    }

    /**
     * Rolls back: a running deploy turns around (same deploy id); a finished one that is what the environment runs now
     * gets a new deploy back to its previous release, which pre-empts any deploy holding the lock.
     */
    public RollbackRepresentation rollback(Caller caller, String id, Optional<String> reason) {
        String why = reason.orElse("rolled back by " + caller.name());
        return database.inSqlTransaction(connection -> {
            DeployRow deploy = require(connection, id, true);
            if (deploy.state().equals("rolling_back")) {
                return new RollbackRepresentation(id, deploy.previousDigest(), deploy.state());
            }
            if (DeployRow.ACTIVE.contains(deploy.state()) || deploy.state().equals("queued")) {
                turnAround(connection, deploy, caller.name(), why);
                DeployRow now = require(connection, id, false);
                // a deploy that had changed nothing yet is cancelled (failed) rather than rolled back
                return new RollbackRepresentation(id, now.state().equals("rolling_back") ? deploy.previousDigest() : Optional.empty(),
                        now.state());
            }
            if (!deploy.state().equals("succeeded")) {
                throw new ApiException(409, "nothing_to_roll_back", "deploy " + id + " ended " + deploy.state()
                        + "; it changed nothing that needs rolling back");
            }
            Optional<String> current = store.currentRelease(connection, deploy.service(), deploy.environment());
            if (!current.equals(Optional.of(deploy.releaseId()))) {
                throw new ApiException(409, "not_current", deploy.environment() + " no longer runs the release of deploy " + id
                        + " (it runs " + current.orElse("nothing") + "); roll back the deploy that installed what runs now");
            }
            if (deploy.previousReleaseId().isEmpty()) {
                throw new ApiException(409, "no_previous_release", "there is no previous release of " + deploy.service()
                        + " in " + deploy.environment() + " to roll back to; deploy " + id + " was its first");
            }
            return startRollbackDeploy(connection, caller, deploy, why);
        });
    }

    private RollbackRepresentation startRollbackDeploy(Connection connection, Caller caller, DeployRow finished, String why)
            throws SQLException {
        EnvironmentSpec environment = catalog.environment(connection, finished.environment()).orElseThrow();
        DeploySpec spec = catalog.service(connection, finished.service()).orElseThrow().spec();
        String back = finished.previousReleaseId().orElseThrow();
        String id = Ids.newId();
        // the running deploy's row first, then the lock: the order a finishing driver takes them in
        Optional<DeployRow> running = store.currentHolder(connection, finished.service(), finished.environment())
                .flatMap(holder -> find(connection, holder));
        List<PlanStep> plan = DeployPlans.rollback(environment, spec.instancesIn(environment.name()), finished.releaseId(),
                Optional.of(back));
        insert(connection, id, finished.service(), finished.environment(), back, Optional.of(finished.releaseId()), "rollback",
                Optional.of(finished.id()), "immediate", "pending", plan, caller, false);
        // the lock moves before the running deploy ends, so ending it frees no lock and starts no queued deploy
        store.moveLock(connection, finished.service(), finished.environment(), id);
        if (running.isPresent() && DeployRow.ACTIVE.contains(running.get().state())) {
            // its target calls are fenced off once the rollback's driver claims the targets with a newer token; the
            // rollback plan removes every version but the one it returns to
            store.changeState(connection, running.get(), "rolled_back", Optional.empty(), "preempted", caller.name(),
                    "pre-empted by rollback deploy " + id, false);
        }
        store.transition(connection, id, null, "pending", null, "create", caller.name(), why);
        DeployRow created = store.find(connection, id, false).orElseThrow();
        return new RollbackRepresentation(id, Optional.of(created.artifactDigest()), created.state());
    }

    /** A running deploy switches to its rollback plan; the driver acts on it at once. */
    void turnAround(Connection connection, DeployRow deploy, String actor, String why) throws SQLException {
        boolean running = deploy.state().equals("in_progress") || deploy.state().equals("paused");
        if (deploy.state().equals("queued") || !deploy.touchedTargets() && !running) {
            store.changeState(connection, deploy, "failed", Optional.empty(), "cancel", actor, why + " (before it changed anything)", false);
            return;
        }
        EnvironmentSpec environment = catalog.environment(connection, deploy.environment()).orElseThrow();
        DeploySpec spec = catalog.service(connection, deploy.service()).orElseThrow().spec();
        List<PlanStep> plan = DeployPlans.rollback(environment, spec.instancesIn(environment.name()), deploy.releaseId(),
                deploy.previousReleaseId());
        if (!store.changeState(connection, deploy, "rolling_back", Optional.of(plan), "rollback", actor, why, false)) {
            throw ApiException.conflict("deploy " + deploy.id() + " changed meanwhile; try again");
        }
    }

    public DeployRepresentation approve(Caller caller, String id, Optional<String> comment, boolean approve) {
        database.inSqlTransaction(connection -> {
            DeployRow deploy = require(connection, id, true);
            Optional<PlanStep> step = deploy.currentStep();
            if (!deploy.state().equals("awaiting_approval") || step.isEmpty() || step.get().kind() != PlanStep.Kind.APPROVAL) {
                throw new ApiException(409, "not_awaiting_approval", "deploy " + id + " is " + deploy.state()
                        + ", not waiting for an approval");
            }
            if (caller.name().equals(deploy.initiatedBy())) {
                throw new ApiException(403, "self_approval", "the person who started a deploy cannot approve it; ask another "
                        + "deployer", Map.of("initiated_by", deploy.initiatedBy()));
            }
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into deploy_approvals (deploy_id, step, user_name, decision, comment, at) values (?, ?, ?, ?, ?, now())
                    on conflict (deploy_id, step, user_name) do update set decision = excluded.decision,
                        comment = excluded.comment, at = now()""")) {
                insert.setString(1, id);
                insert.setInt(2, deploy.step());
                insert.setString(3, caller.name());
                insert.setString(4, approve ? "approved" : "rejected");
                insert.setString(5, comment.orElse(null));
                insert.executeUpdate();
            }
            store.transition(connection, id, deploy.state(), deploy.state(), deploy.step(), approve ? "approve" : "reject",
                    caller.name(), comment.orElse(null));
            return null;
        });
        return get(id, false);
    }

    /** pause, resume, abort (roll back and stop) and promote (end the current hold now). */
    public DeployRepresentation act(Caller caller, String id, String action) {
        database.inSqlTransaction(connection -> {
            DeployRow deploy = require(connection, id, true);
            switch (action) {
                case "pause" -> {
                    if (!deploy.state().equals("in_progress")) {
                        throw stateConflict(deploy, "paused", "in_progress");
                    }
                    store.changeState(connection, deploy, "paused", Optional.empty(), "pause", caller.name(), null, false);
                }
                case "resume" -> {
                    if (!deploy.state().equals("paused")) {
                        throw stateConflict(deploy, "resumed", "paused");
                    }
                    store.changeState(connection, deploy, "in_progress", Optional.empty(), "resume", caller.name(), null, false);
                    // a hold or a health wait counts from the resume: the time paused was not watched
                    store.restartStep(connection, deploy.id());
                }
                case "abort" -> {
                    if (!DeployRow.ACTIVE.contains(deploy.state()) && !deploy.state().equals("queued")) {
                        throw stateConflict(deploy, "aborted", "running or queued");
                    }
                    if (!deploy.state().equals("rolling_back")) {
                        turnAround(connection, deploy, caller.name(), "aborted by " + caller.name());
                    }
                }
                case "promote" -> {
                    Optional<PlanStep> step = deploy.currentStep();
                    boolean paused = deploy.state().equals("paused");
                    if (!deploy.state().equals("in_progress") && !paused || step.isEmpty() || step.get().kind() != PlanStep.Kind.HOLD) {
                        throw new ApiException(409, "not_holding", "deploy " + id + " is not holding at a step now ("
                                + deploy.state() + step.map(s -> ", " + s.describe()).orElse("") + ")");
                    }
                    if (paused) {
                        // a pause at a hold (e.g. an inconclusive analysis) ends with the person's decision to go on
                        store.changeState(connection, deploy, "in_progress", Optional.empty(), "resume", caller.name(), null, false);
                    }
                    try (PreparedStatement update = connection.prepareStatement(
                            "update deploys set promote_step = step, updated_at = now() where id = ?")) {
                        update.setString(1, id);
                        update.executeUpdate();
                    }
                    store.transition(connection, id, deploy.state(), deploy.state(), deploy.step(), "promote", caller.name(),
                            "skip the rest of: " + step.get().describe());
                }
                default -> throw ApiException.notFound("action '" + action + "'");
            }
            return null;
        });
        return get(id, false);
    }

    private static ApiException stateConflict(DeployRow deploy, String verb, String needed) {
        return new ApiException(409, "invalid_state", "deploy " + deploy.id() + " is " + deploy.state() + "; only a deploy that is "
                + needed + " can be " + verb, Map.of("status", deploy.state()));
    }

    private Optional<DeployRow> find(Connection connection, String id) {
        try {
            return store.find(connection, id, true);
        } catch (SQLException e) {
            throw new IllegalStateException("reading deploy " + id + " failed", e);
        }
    }

    private DeployRow require(Connection connection, String id, boolean forUpdate) throws SQLException {
        return store.find(connection, id, forUpdate).orElseThrow(() -> ApiException.notFound("deploy '" + id + "'"));
    }

    public List<DeployRepresentation> list(Optional<String> service, Optional<String> environment, Optional<String> state, int limit) {
        return database.inSqlTransaction(connection -> {
            List<DeployRepresentation> deploys = new ArrayList<>();
            for (DeployRow row : store.list(connection, service, environment, state, limit)) {
                deploys.add(representation(connection, row));
            }
            return deploys;
        });
    }

    /** The deploy; with {@code live}, the targets are asked for their instances too. */
    public DeployRepresentation get(String id, boolean live) {
        DeployRepresentation deploy = database.inSqlTransaction(connection -> representation(connection, require(connection, id, false)));
        if (!live || DeployRow.TERMINAL.contains(deploy.status())) {
            return deploy;
        }
        // asked of the targets outside the transaction: a slow target does not hold a database connection
        EnvironmentSpec environment = catalog.environment(deploy.environment());
        return deploy.withInstances(targets.instances(environment, deploy.service(), deploy.environment()));
    }

    private DeployRepresentation representation(Connection connection, DeployRow row) throws SQLException {
        Map<String, Map<String, Integer>> weights = new LinkedHashMap<>();
        Object health = Map.of();
        try (PreparedStatement query = connection.prepareStatement("select weights, health from deploys where id = ?")) {
            query.setString(1, row.id());
            try (ResultSet result = query.executeQuery()) {
                result.next();
                weights = DeployCatalog.read(result.getString(1), WeightsByTarget.class);
                health = DeployCatalog.read(result.getString(2), Object.class);
            }
        }
        List<DeployRepresentation.Approval> approvals = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "select step, user_name, decision, comment, at from deploy_approvals where deploy_id = ? order by at")) {
            query.setString(1, row.id());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    approvals.add(new DeployRepresentation.Approval(rows.getInt(1), rows.getString(2), rows.getString(3),
                            Optional.ofNullable(rows.getString(4)), rows.getTimestamp(5).toInstant()));
                }
            }
        }
        List<DeployRepresentation.Transition> transitions = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "select at, from_state, to_state, step, action, actor, reason from deploy_transitions where deploy_id = ? order by id")) {
            query.setString(1, row.id());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    int step = rows.getInt(4);
                    Optional<Integer> stepIndex = rows.wasNull() ? Optional.empty() : Optional.of(step);
                    transitions.add(new DeployRepresentation.Transition(rows.getTimestamp(1).toInstant(),
                            Optional.ofNullable(rows.getString(2)), rows.getString(3), stepIndex, rows.getString(5),
                            rows.getString(6), Optional.ofNullable(rows.getString(7))));
                }
            }
        }
        Optional<PlanStep> current = row.currentStep();
        DeployRepresentation.Step step = new DeployRepresentation.Step(row.step(), row.plan().size(),
                current.map(s -> s.kind().id()), current.map(PlanStep::describe), row.stepStartedAt());
        Map<String, List<DeployRepresentation.Instance>> instances = Map.of();
        return new DeployRepresentation(row.id(), row.state(), row.service(), row.environment(), row.kind(), row.rollbackOf(),
                row.strategy(), new DeployRepresentation.Release(row.releaseId(), row.artifactDigest()),
                row.previousReleaseId().map(prev -> new DeployRepresentation.Release(prev, row.previousDigest().orElse(null))),
                step, row.plan(), weights, instances, health, row.reason(), row.initiatedBy(), approvals, row.createdAt(), row.finishedAt(),
                transitions);
    }

    /** Stored weights: target → version → percent. */
    static final class WeightsByTarget extends LinkedHashMap<String, Map<String, Integer>> {
    }
}
