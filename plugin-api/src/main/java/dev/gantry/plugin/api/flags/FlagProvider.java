package dev.gantry.plugin.api.flags;

import dev.gantry.plugin.api.Experimental;
import java.util.List;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/** Where flag definitions live. Writes are conditional on the version read, so no update is silently lost. */
@Experimental
public interface FlagProvider extends ExtensionPoint {
    List<FlagDefinition> list(boolean includeArchived);

    Optional<FlagDefinition> get(String key);

    /**
     * Creates the flag when {@code expectedVersion} is 0, or replaces version {@code expectedVersion}.
     *
     * @throws StaleFlagException when the stored version is another
     */
    FlagDefinition save(FlagDefinition flag, long expectedVersion);
}
