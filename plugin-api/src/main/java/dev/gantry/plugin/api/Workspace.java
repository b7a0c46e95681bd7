package dev.gantry.plugin.api;

import java.io.IOException;
import java.nio.file.Path;

/** Local disk a plugin may use for caches and scratch space; it may be wiped whenever the server is stopped. */
public interface Workspace {
    /** The plugin's own directory, created on first use. */
    Path root();

    /** A fresh, empty directory under {@link #root()}; the caller deletes it when done. */
    Path newTempDirectory(String prefix) throws IOException;
}
