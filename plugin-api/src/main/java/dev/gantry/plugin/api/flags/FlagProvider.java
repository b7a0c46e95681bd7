package dev.gantry.plugin.api.flags;

import dev.gantry.plugin.api.Experimental;
import java.util.List;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/**
 * Where flag and segment definitions live. Writes are conditional on the version read, so no update is silently
 * lost; the server validates documents before it saves them, the store keeps them as they are.
 */
@Experimental
public interface FlagProvider extends ExtensionPoint {
    /** Every flag, ordered by key; archived ones only when {@code includeArchived}. */
    List<FlagDefinition> list(boolean includeArchived);

    Optional<FlagDefinition> get(String key);

    /**
     * Creates the flag when {@code expectedVersion} is 0, or replaces version {@code expectedVersion}; the stored
     * flag (whose version is {@code expectedVersion + 1}) is returned. The flag's own {@code version} is ignored.
     *
     * @throws StaleFlagException when the stored version is another (or, on create, the key is taken)
     */
    FlagDefinition save(FlagDefinition flag, long expectedVersion);

    /** Every segment, ordered by key. */
    List<SegmentDefinition> segments();

    /**
     * Creates the segment when {@code expectedVersion} is 0, or replaces version {@code expectedVersion}, like
     * {@link #save}.
     *
     * @throws StaleFlagException when the stored version is another (or, on create, the key is taken)
     */
    SegmentDefinition saveSegment(SegmentDefinition segment, long expectedVersion);

    /**
     * Deletes version {@code expectedVersion} of a segment.
     *
     * @throws StaleFlagException when the segment is absent or its stored version is another
     */
    void deleteSegment(String key, long expectedVersion);
}
