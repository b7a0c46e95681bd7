package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A client command: resolves the connection, calls the API, prints the answer (a table or summary, or the JSON
 * with --json), and turns every expected failure into one line on stderr and its exit code ({@link ExitCodes}).
 */
public abstract class ApiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Listed after the command's own options in --help. */
    @ArgGroup(validate = false, heading = "%nServer, token and output:%n", order = 100)
    ClientOptions options = new ClientOptions();

    /** Does the work; returns the exit code, or throws a {@link CliException}. */
    protected abstract int run(ApiClient api);

    @Override
    public final Integer call() {
        try {
            Connection connection = new ConnectionResolver(System.getenv(), Path.of(System.getProperty("user.home", ".")))
                    .resolve(options.server, options.token, options.tokenFile);
            return run(new ApiClient(connection, dev.gantry.plugin.api.PluginApi.VERSION));
        } catch (CliException e) {
            out().flush(); // what was printed before the failure comes first
            err().println("gantry: " + e.getMessage());
            return e.exitCode();
        } finally {
            out().flush();
            err().flush();
        }
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected boolean json() {
        return options.json;
    }

    /** The answer as JSON with --json, else as {@code human} renders it. */
    protected void print(JsonNode answer, java.util.function.Function<JsonNode, String> human) {
        if (json()) {
            out().println(Json.pretty(answer));
        } else {
            out().print(human.apply(answer));
        }
    }

    /** A list: with --json the answer as it came, else the table, or a note on stderr when it is empty. */
    protected void printList(JsonNode answer, Table table, String nothing) {
        if (json()) {
            out().println(Json.pretty(answer));
        } else if (table.isEmpty()) {
            err().println(nothing);
        } else {
            out().print(table.render());
        }
    }

    /** Progress for people, on stderr so stdout stays the result. */
    protected void progress(String line) {
        err().println(line);
        err().flush();
    }
}
