package dev.gantry.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.deploy.Deployer;
import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.InstanceStatus;
import dev.gantry.plugin.api.deploy.VersionSpec;
import dev.gantry.plugin.api.metrics.MetricsSource;
import dev.gantry.server.artifact.ArtifactDigest;
import dev.gantry.server.artifact.ArtifactService;
import dev.gantry.server.http.HttpServer;
import dev.gantry.server.http.Json;
import dev.gantry.server.pipeline.DeploySpec;
import dev.gantry.server.plugins.Extension;
import dev.gantry.server.plugins.PluginHost;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** From stored deploys to deployer calls: which deployer runs a target, and what a release's version looks like. */
class DeployTargets {
    private final PluginHost plugins;
    private final ArtifactService artifacts;
    private final HttpServer http;

    @Inject
    DeployTargets(PluginHost plugins, ArtifactService artifacts, HttpServer http) {
        this.plugins = plugins;
        this.artifacts = artifacts;
        this.http = http;
    }

    /**
     * A target of the deploy's environment, addressed with the caller's fencing token; {@code pluginId} is the plugin
     * of its deployer, whose own metrics source knows the target's router.
     */
    record Bound(EnvironmentSpec.Target spec, DeployTarget target, Deployer deployer, String pluginId) {
    }

    List<Bound> bind(EnvironmentSpec environment, DeployRow deploy, List<String> names) {
        Map<String, EnvironmentSpec.Target> byName = new LinkedHashMap<>();
        environment.allTargets().forEach(target -> byName.put(target.name(), target));
        return names.stream().map(name -> {
            EnvironmentSpec.Target spec = byName.get(name);
            if (spec == null) {
                throw new DeployerException("the environment " + environment.name() + " has no target '" + name
                        + "' any more; it was changed while the deploy ran");
            }
            Extension<Deployer> deployer = deployerExtension(spec.deployer());
            return new Bound(spec, new DeployTarget(deploy.service(), deploy.environment(), name, spec.settings(), deploy.fence()),
                    deployer.instance(), deployer.pluginId());
        }).toList();
    }

    Deployer deployer(String kind) {
        return deployerExtension(kind).instance();
    }

    private Extension<Deployer> deployerExtension(String kind) {
        List<Extension<Deployer>> deployers = plugins.extensions(Deployer.class);
        for (Extension<Deployer> deployer : deployers) {
            if (deployer.instance().kind().equals(kind)) {
                return deployer;
            }
        }
        throw new DeployerException("no enabled plugin provides the deployer '" + kind + "'; enabled deployers: "
                + (deployers.isEmpty() ? "none" : String.join(", ", deployers.stream().map(d -> d.instance().kind()).toList())));
    }

    /** The per-request metrics of a target: the source of kind {@code router} from the plugin that deploys it. */
    Optional<MetricsSource> routerMetrics(Bound target) {
        return plugins.extensions(MetricsSource.class).stream()
                .filter(source -> source.pluginId().equals(target.pluginId()) && source.instance().kind().equals("router"))
                .map(Extension::instance).findFirst();
    }

    /**
     * The metrics source of {@code kind} for a target: for {@code router}, the one of the plugin that deploys the
     * target (it knows the target's router); for any other kind, the first enabled plugin's.
     */
    MetricsSource metricsSource(Bound target, String kind) {
        if (kind.equals("router")) {
            return routerMetrics(target).orElseThrow(() -> new DeployerException("the plugin " + target.pluginId()
                    + " that deploys " + target.target().target() + " has no router metrics source"));
        }
        List<Extension<MetricsSource>> sources = plugins.extensions(MetricsSource.class);
        return sources.stream().map(Extension::instance).filter(source -> source.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new DeployerException("no enabled plugin provides the metrics source '" + kind
                        + "'; enabled sources: " + String.join(", ", sources.stream().map(s -> s.instance().kind()).distinct().toList())));
    }

    /**
     * The version a release runs as: its id is the label, its artifact comes from a signed, expiring URL. A baseline
     * ({@code <release>.baseline}) is the same release under its own label, so its traffic is measured apart.
     */
    VersionSpec version(Connection connection, String version, String environment) throws SQLException {
        boolean baseline = version.endsWith(DeployPlans.BASELINE_SUFFIX);
        String releaseId = baseline ? version.substring(0, version.length() - DeployPlans.BASELINE_SUFFIX.length()) : version;
        try (PreparedStatement query = connection.prepareStatement("select artifact_digest, config from releases where id = ?")) {
            query.setString(1, releaseId);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    throw new DeployerException("release " + releaseId + " does not exist");
                }
                ArtifactDigest digest = ArtifactDigest.parse(row.getString(1));
                JsonNode config = Json.mapper().readTree(row.getString(2));
                DeploySpec spec = Json.mapper().treeToValue(config.get("deploy"), DeploySpec.class);
                Map<String, String> env = new TreeMap<>();
                DeploySpec.EnvironmentOverride override = spec.environments().get(environment);
                if (override != null) {
                    env.putAll(override.env());
                    if (!override.config().isEmpty()) {
                        env.put("GANTRY_CONFIG", Json.write(override.config()));
                    }
                }
                env.put("GANTRY_ENVIRONMENT", environment);
                env.put("GANTRY_RELEASE", releaseId);
                if (baseline) {
                    env.put("GANTRY_BASELINE", "1");
                }
                String url = artifacts.get(digest, http.url()).downloadUrl();
                if (url == null) {
                    throw new DeployerException("artifact " + digest + " cannot be downloaded (it is not available)");
                }
                return new VersionSpec(version, digest.toString(), URI.create(url), env, spec.healthPath());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("release " + releaseId + " has an unreadable config snapshot", e);
            }
        }
    }

    /** Why the version's artifact cannot be deployed, when the store knows it is corrupt or gone. */
    Optional<String> artifactProblem(VersionSpec version) {
        try {
            artifacts.requireAvailable(ArtifactDigest.parse(version.artifactDigest()));
            return Optional.empty();
        } catch (dev.gantry.server.http.ApiException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Instances on every target of the deploy's environment, as their deployers report them now. */
    Map<String, List<DeployRepresentation.Instance>> instances(EnvironmentSpec environment, String service, String environmentName) {
        Map<String, List<DeployRepresentation.Instance>> instances = new LinkedHashMap<>();
        for (EnvironmentSpec.Target target : environment.allTargets()) {
            try {
                // reading needs no fence: 0 is below every token, and instances() changes nothing
                List<InstanceStatus> statuses = deployer(target.deployer()).instances(
                        new DeployTarget(service, environmentName, target.name(), target.settings(), 0));
                instances.put(target.name(), statuses.stream().map(status -> new DeployRepresentation.Instance(status.instanceId(),
                        status.version(), status.address(), status.healthy())).toList());
            } catch (RuntimeException e) {
                instances.put(target.name(), List.of());
            }
        }
        return instances;
    }
}
