package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gantry plugins ...}: list, install, enable, disable and uninstall plugins (docs/plugins.md; admin). */
@Command(name = "plugins",
        description = "List, install, enable, disable and uninstall plugins (see docs/plugins.md).",
        subcommands = {PluginsCommand.ListPlugins.class, PluginsCommand.Install.class, PluginsCommand.Enable.class,
                PluginsCommand.Disable.class, PluginsCommand.Uninstall.class})
public final class PluginsCommand extends CommandGroup {

    static String path(String id) {
        return "api/plugins/" + ApiClient.segment(id);
    }

    static Table table(JsonNode list) {
        Table table = new Table("id", "version", "state", "source", "problem");
        for (JsonNode plugin : list.path("plugins")) {
            table.row(Json.text(plugin, "id"), Json.text(plugin, "version"), Json.text(plugin, "state"),
                    Json.text(plugin, "source"), Json.text(plugin, "problem"));
        }
        return table;
    }

    static String details(JsonNode plugin) {
        StringBuilder extensions = new StringBuilder();
        for (JsonNode extension : plugin.path("extensions")) {
            java.util.List<String> points = new java.util.ArrayList<>();
            extension.path("extension_points").forEach(point -> points.add(point.asText()));
            extensions.append(Json.text(extension, "class_name")).append(points.isEmpty() ? "" : " (" + String.join(", ", points) + ")")
                    .append('\n');
        }
        return new Details()
                .add("plugin", Json.text(plugin, "id"))
                .add("version", Json.text(plugin, "version"))
                .add("state", Json.text(plugin, "state"))
                .add("problem", Json.text(plugin, "problem"))
                .add("description", Json.text(plugin, "description"))
                .add("provider", Json.text(plugin, "provider"))
                .add("requires", Json.text(plugin, "requires"))
                .add("source", Json.text(plugin, "source"))
                .add("sha256", Json.text(plugin, "sha256"))
                .add("installed", Format.time(Json.text(plugin, "installed_at")))
                .add("installed by", Json.text(plugin, "installed_by"))
                .add("extensions", extensions.toString())
                .render();
    }

    @Command(name = "list", description = "List the installed plugins and their state.")
    static final class ListPlugins extends ApiCommand {
        @Override
        protected int run(ApiClient api) {
            JsonNode list = api.get("api/plugins");
            printList(list, table(list), "no plugins");
            return ExitCodes.OK;
        }
    }

    @Command(name = "install",
            description = "Upload a plugin zip and start it, on every replica (exit code 5 if it is installed already or incompatible).")
    static final class Install extends ApiCommand {
        @Parameters(paramLabel = "ZIP", description = "The plugin's zip file.")
        Path zip;

        @Override
        protected int run(ApiClient api) {
            if (!Files.isRegularFile(zip)) {
                throw new CliException(ExitCodes.USAGE, zip + " is not a file");
            }
            print(api.postFile("api/plugins", zip, "application/zip").json(), PluginsCommand::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "enable", description = "Start using a disabled plugin again.")
    static final class Enable extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The plugin's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            print(api.action(path(id) + "/enable").json(), PluginsCommand::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "disable", description = "Stop using a plugin, keeping it installed.")
    static final class Disable extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The plugin's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            print(api.action(path(id) + "/disable").json(), PluginsCommand::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "uninstall",
            description = "Remove a plugin (its database schema is kept). A bundled plugin comes back at the next start: disable it instead.")
    static final class Uninstall extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The plugin's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            api.delete(path(id));
            if (!json()) {
                out().println("plugin " + id + " uninstalled");
            }
            return ExitCodes.OK;
        }
    }
}
