package dev.gantry.server.cli;

/**
 * The exit codes of the client commands, which scripts may rely on (the table is in docs/cli.md). Usage errors are
 * picocli's own code 2.
 */
public final class ExitCodes {
    /** The command did what was asked (and what it waited for ended well). */
    public static final int OK = 0;
    /** The operation ran but ended badly: a build failed or was cancelled, a deploy failed or was rolled back. */
    public static final int FAILED = 1;
    /** Bad arguments or options, no server or token configured, or a request the server refused as invalid (400). */
    public static final int USAGE = 2;
    /** The token is missing, unknown or revoked (401), or its role may not do this (403). */
    public static final int AUTH = 3;
    /** No such build, deploy, flag, plugin ... (404). */
    public static final int NOT_FOUND = 4;
    /** The request conflicts with the current state (409), or a precondition failed (412, 422, 428). */
    public static final int CONFLICT = 5;
    /** The server failed (5xx) or could not be reached. */
    public static final int SERVER = 6;
    /** Waiting (--wait, deploy wait, build logs --follow) took longer than --timeout. */
    public static final int TIMEOUT = 7;

    private ExitCodes() {
    }

    /** The exit code for an API answer with this HTTP status that is not a success. */
    public static int forHttpStatus(int status) {
        return switch (status) {
            case 401, 403 -> AUTH;
            case 404, 410 -> NOT_FOUND;
            case 409, 412, 422, 428 -> CONFLICT;
            default -> status >= 500 ? SERVER : status >= 400 ? USAGE : SERVER;
        };
    }
}
