package dev.gantry.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every client command has: where the server is, the token, and --json. */
public final class ClientOptions {
    @Option(names = "--server", paramLabel = "URL",
            description = "The Gantry server, e.g. http://localhost:8080 (default: $GANTRY_URL, else server= in the config file).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token (default: $GANTRY_TOKEN, else token= in the config file). Prefer --token-file: "
                    + "other users of the machine can see command lines.")
    String token;

    @Option(names = "--token-file", paramLabel = "PATH", description = "Read the API token from this file.")
    Path tokenFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--json", description = "Print the API's JSON answer (pretty) instead of a table or summary.")
    boolean json;
}
