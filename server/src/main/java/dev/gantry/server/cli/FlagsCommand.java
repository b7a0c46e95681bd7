package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gantry flags ...}: list, show, create, roll out, kill and archive feature flags (docs/flags.md). */
@Command(name = "flags",
        description = "List, create, roll out, kill and archive feature flags (see docs/flags.md).",
        subcommands = {FlagsCommand.ListFlags.class, FlagsCommand.Show.class, FlagsCommand.Create.class,
                FlagsCommand.Rollout.class, FlagsCommand.Kill.class, FlagsCommand.Archive.class})
public final class FlagsCommand extends CommandGroup {

    static String path(String key) {
        return "api/feature-flags/" + ApiClient.segment(key);
    }

    @Command(name = "list", description = "List the flags, with their state per environment.")
    static final class ListFlags extends ApiCommand {
        @Option(names = "--archived", description = "List the archived flags instead.")
        boolean archived;

        @Override
        protected int run(ApiClient api) {
            JsonNode list = api.get(ApiClient.withQuery("api/feature-flags", ApiClient.params("archived", archived ? "true" : null)));
            printList(list, FlagView.table(list), archived ? "no archived flags" : "no flags");
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Show a flag with its rules in each environment.")
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "KEY", description = "The flag's key.")
        String key;

        @Override
        protected int run(ApiClient api) {
            print(api.get(path(key)), FlagView::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "create",
            description = {"Create a boolean flag, enabled in one environment, served to the target users and to a "
                    + "percentage of everyone else.",
                    "For other variants, segments or several environments, POST a full document (docs/flags.md)."})
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "KEY", description = "The new flag's key: lowercase letters, digits, '.', '_' and '-'.")
        String key;

        @Option(names = "--rollout", paramLabel = "PERCENT", description = "Share of users who get it, 0-100 (default 0).")
        BigDecimal rollout;

        @Option(names = "--target-users", paramLabel = "ID", split = ",", description = "User ids who always get it, comma-separated.")
        List<String> targetUsers;

        @Option(names = "--env", paramLabel = "ENV", description = "The environment (default: the server's flags.default-environment, production).")
        String environment;

        @Override
        protected int run(ApiClient api) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("name", key);
            if (rollout != null) {
                body.put("rollout_percentage", FlagRollout.normalize(rollout));
            }
            if (targetUsers != null) {
                targetUsers.forEach(user -> body.withArray("target_users").add(user.strip()));
            }
            if (environment != null) {
                body.put("environment", environment);
            }
            print(api.post("api/feature-flags", body).json(), FlagView::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rollout",
            description = {"Set the share of users a flag is rolled out to in an environment: the rollout of its last rule.",
                    "Safe against concurrent changes: the update names the version it read (If-Match), and is "
                            + "reapplied once if the flag changed in between; exit code 5 if it changed again."})
    static final class Rollout extends ApiCommand {
        @Parameters(paramLabel = "KEY", description = "The flag's key.")
        String key;

        @Option(names = "--env", required = true, paramLabel = "ENV", description = "The environment.")
        String environment;

        @Option(names = "--percent", required = true, paramLabel = "N", description = "0-100, up to two decimals (e.g. 25 or 12.5).")
        BigDecimal percent;

        @Override
        protected int run(ApiClient api) {
            print(new FlagRollout(api, this::progress).set(key, environment, percent), FlagView::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "kill",
            description = "Turn a flag off in an environment at once (the kill switch); its rules stay for turning it on again.")
    static final class Kill extends ApiCommand {
        @Parameters(paramLabel = "KEY", description = "The flag's key.")
        String key;

        @Option(names = "--env", paramLabel = "ENV", description = "The environment (default: the server's flags.default-environment, production).")
        String environment;

        @Override
        protected int run(ApiClient api) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            if (environment != null) {
                body.put("environment", environment);
            }
            print(api.post(path(key) + "/kill", body).json(), FlagView::details);
            return ExitCodes.OK;
        }
    }

    @Command(name = "archive",
            description = "Archive a flag: it leaves every stream (applications get their default); its key is never reused.")
    static final class Archive extends ApiCommand {
        @Parameters(paramLabel = "KEY", description = "The flag's key.")
        String key;

        @Override
        protected int run(ApiClient api) {
            print(api.action(path(key) + "/archive").json(), FlagView::details);
            return ExitCodes.OK;
        }
    }
}
