package dev.gantry.plugins.scm.git;

import dev.gantry.plugin.api.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The plugin's workspace, in a test's temporary directory. */
record TestWorkspace(Path root) implements Workspace {
    @Override
    public Path newTempDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(Files.createDirectories(root), prefix);
    }
}
