package dev.gantry.plugin.api.deploy;

import java.util.List;
import java.util.Map;
import org.pf4j.ExtensionPoint;

/**
 * Runs versions of a service on a target and splits its traffic between them. Every call is idempotent ("ensure",
 * "set", "remove"), so the deploy controller can replay its last step after a crash; every call that changes the target
 * is fenced by {@link DeployTarget#fence()}. A version is an opaque label the controller chooses (one per release, and
 * one for fresh baseline instances); the router reports it back in each response's {@code X-Gantry-Version} header.
 */
public interface Deployer extends ExtensionPoint {
    /** The name an environment's target selects this deployer by, e.g. {@code process} or {@code docker}. */
    String kind();

    /**
     * Makes exactly {@code instances} instances of {@code version} run on the target, replacing dead ones and starting
     * or stopping the difference. The artifact's digest is verified before anything starts ({@link DeployerException}
     * when it does not match). Returns once they are started, without waiting for their health checks: read
     * {@link #instances}.
     */
    void ensureInstances(DeployTarget target, VersionSpec version, int instances);

    /** Stops every instance of {@code version} and takes it out of the router; nothing happens if none run. */
    void removeVersion(DeployTarget target, String version);

    /**
     * Sets the share of traffic each version gets, in percent, in one atomic change of the router: they sum to 100 (a
     * version left out gets none), or the map is empty, which takes all traffic away. Only healthy instances of a
     * version receive its share.
     */
    void setWeights(DeployTarget target, Map<String, Integer> weightByVersion);

    /** The weights the router applies now; empty when it has none yet. */
    Map<String, Integer> weights(DeployTarget target);

    /** The instances on the target, of every version, with their health. */
    List<InstanceStatus> instances(DeployTarget target);
}
