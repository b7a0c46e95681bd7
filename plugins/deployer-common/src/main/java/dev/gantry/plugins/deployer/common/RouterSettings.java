package dev.gantry.plugins.deployer.common;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Routers} needs of a deployer plugin's settings.
 *
 * @param command the command that runs a router, before {@code --state-dir} and {@code --listen-port}; empty for
 *     {@code <gantry.home>/bin/gantry router}
 * @param startTimeout how long a started router may take to write admin.json and answer
 * @param stopGrace how long a router being replaced may take to exit after SIGTERM before it gets SIGKILL
 * @param prefix the plugin's settings prefix ({@code plugin.<id>.}), so messages name the setting to change
 */
public record RouterSettings(Optional<List<String>> command, Duration startTimeout, Duration stopGrace, String prefix) {
    public RouterSettings {
        requireNonNull(command, "command is null");
        requireNonNull(startTimeout, "startTimeout is null");
        requireNonNull(stopGrace, "stopGrace is null");
        requireNonNull(prefix, "prefix is null");
    }

    /** The router command to run: the setting, or the distribution's launcher beside the running server. */
    public List<String> commandOrDefault() {
        return command.orElseGet(() -> {
            String home = System.getProperty("gantry.home");
            if (home == null || home.isBlank()) {
                throw new IllegalStateException("cannot start a router: the server was not started by bin/gantry "
                        + "(no gantry.home system property); set " + prefix + "router-command");
            }
            return List.of(home + "/bin/gantry", "router");
        });
    }
}
