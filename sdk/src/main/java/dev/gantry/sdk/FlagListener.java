package dev.gantry.sdk;

import java.util.List;

/**
 * Told after a change has been applied (a new snapshot, a flag or segment changed or removed), with the keys of the
 * flags whose evaluation may have changed. Called on the SDK's own thread, one call at a time; it should return
 * quickly. An exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface FlagListener {
    void flagsChanged(List<String> flagKeys);
}
