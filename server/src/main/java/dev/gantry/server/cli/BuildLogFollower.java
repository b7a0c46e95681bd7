package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Follows a build's log over {@code GET /api/builds/{id}/logs?follow=true} (server-sent events): prints each line as it
 * comes, reports status changes, and returns the finished build from the {@code end} event. A stream that breaks
 * off (a replica stopped) is opened again with {@code Last-Event-ID}, so no line is lost or printed twice.
 */
final class BuildLogFollower {
    private final ApiClient api;
    private final PrintWriter out;
    private final Consumer<String> progress;
    private final boolean json;
    private final Duration timeout;

    /** With {@code json}, each line is printed as the API's JSON object, one per line. */
    BuildLogFollower(ApiClient api, PrintWriter out, Consumer<String> progress, boolean json, Duration timeout) {
        this.api = api;
        this.out = out;
        this.progress = progress;
        this.json = json;
        this.timeout = timeout;
    }

    /** Prints the log from its last {@code lines} lines on, until the build ends; returns the finished build. */
    JsonNode follow(String buildId, int lines) {
        String path = ApiClient.withQuery("api/builds/" + ApiClient.segment(buildId) + "/logs",
                ApiClient.params("follow", "true", "lines", lines));
        AtomicBoolean timedOut = new AtomicBoolean();
        AtomicReference<InputStream> open = new AtomicReference<>();
        Timer timer = new Timer("gantry-follow-timeout", true);
        // a blocked read ends only when its stream is closed: the timer closes it at the deadline
        timer.schedule(new TimerTask() {
            @Override
            public void run() {
                timedOut.set(true);
                closeQuietly(open.get());
            }
        }, timeout.toMillis());
        try {
            String lastId = null;
            String lastStatus = null;
            long unreachableSince = 0;
            while (!timedOut.get()) {
                InputStream stream;
                try {
                    stream = api.events(path, lastId);
                    unreachableSince = 0;
                } catch (CliException e) {
                    if (e.exitCode() != ExitCodes.SERVER) {
                        throw e;
                    }
                    long now = System.nanoTime();
                    if (unreachableSince == 0) {
                        unreachableSince = now;
                        progress.accept("gantry: " + e.getMessage() + "; trying again for " + Poller.UNREACHABLE_GRACE.toSeconds() + "s");
                    } else if (now - unreachableSince > Poller.UNREACHABLE_GRACE.toNanos()) {
                        throw e;
                    }
                    pause();
                    continue;
                }
                open.set(stream);
                if (timedOut.get()) {
                    closeQuietly(stream);
                    break;
                }
                try (ServerSentEvents events = new ServerSentEvents(stream)) {
                    ServerSentEvents.Event event;
                    while ((event = events.next()) != null) {
                        switch (event.name()) {
                            case "log" -> {
                                printLine(event.data());
                                if (event.id() != null) {
                                    lastId = event.id();
                                }
                            }
                            case "status" -> {
                                String status = Json.text(parse(event.data()), "status");
                                if (status != null && !status.equals(lastStatus)) {
                                    progress.accept("status: " + status);
                                    lastStatus = status;
                                }
                            }
                            case "end" -> {
                                return parse(event.data());
                            }
                            default -> {
                                // an event this client does not know: later servers may send more
                            }
                        }
                    }
                } catch (IOException e) {
                    // broken off: open it again below, unless the time is up
                }
                if (!timedOut.get()) {
                    progress.accept("gantry: the log stream of build " + buildId + " broke off; resuming");
                    pause();
                }
            }
            throw new CliException(ExitCodes.TIMEOUT, "gave up following the log of build " + buildId + " after "
                    + DurationConverter.show(timeout) + (lastStatus != null ? "; last status: " + lastStatus : ""));
        } finally {
            timer.cancel();
        }
    }

    private void printLine(String data) {
        if (json) {
            out.println(data);
        } else {
            out.println(Json.text(parse(data), "message"));
        }
        out.flush();
    }

    private static JsonNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw new CliException(ExitCodes.SERVER, "the server sent an event that is not JSON: " + ApiError.oneLine(data));
        }
    }

    private static void pause() {
        try {
            Thread.sleep(Poller.INTERVAL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.TIMEOUT, "interrupted while following the log");
        }
    }

    private static void closeQuietly(InputStream stream) {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException e) {
                // closing only to end a blocked read
            }
        }
    }
}
