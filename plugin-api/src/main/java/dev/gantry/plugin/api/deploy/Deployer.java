package dev.gantry.plugin.api.deploy;

import dev.gantry.plugin.api.Experimental;
import java.util.List;
import java.util.Map;
import org.pf4j.ExtensionPoint;

/**
 * Runs versions of a service on a target and splits its traffic. Every call is idempotent ("ensure", "set"), so the
 * deploy controller can replay its last step after a crash.
 */
@Experimental
public interface Deployer extends ExtensionPoint {
    /** The name an environment's target selects this deployer by, e.g. {@code process} or {@code docker}. */
    String kind();

    /** Makes {@code instances} instances of {@code version} run on the target; more or fewer are started or stopped. */
    void ensureInstances(DeployTarget target, VersionSpec version, int instances);

    /** Sets the share of traffic each version gets, in percent; the shares sum to 100. */
    void setWeights(DeployTarget target, Map<String, Integer> weightByVersion);

    /** The instances on the target, of every version, with their health. */
    List<InstanceStatus> instances(DeployTarget target);
}
