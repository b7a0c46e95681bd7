package dev.gantry.server.build;

import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.server.ChunkedOutput;

@Path("/api/builds")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class BuildResource {
    private static final int MAX_LINES = 10_000;
    private static final long HEARTBEAT_SECONDS = 15;

    private final BuildService builds;
    private final BuildEvents events;

    @Inject
    public BuildResource(BuildService builds, BuildEvents events) {
        this.builds = builds;
        this.events = events;
    }

    public record BuildRequest(String repo, String commitSha, String branch) {
    }

    public record BuildList(List<BuildRepresentation> builds) {
    }

    public record LogPage(String buildId, String status, List<BuildService.LogLine> logs, long totalLines, boolean truncated) {
    }

    /** Queues a build: 201 with the new build, or 200 with the one already in flight for this commit. */
    @POST
    @RequiresRole(Role.DEVELOPER)
    public Response start(@Context SecurityContext security, BuildRequest request) {
        if (request == null) {
            throw ApiException.missingField("repo");
        }
        BuildService.Enqueued enqueued = builds.enqueue(Authentication.caller(security), request.repo(), request.commitSha(),
                request.branch(), "api", Optional.empty());
        return Response.status(enqueued.created() ? Response.Status.CREATED : Response.Status.OK).entity(enqueued.build()).build();
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public BuildList list(@QueryParam("repo") String repo, @QueryParam("branch") String branch,
                          @QueryParam("status") String status, @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw new ApiException(400, "invalid_field", "limit is between 1 and 500", Map.of("field", "limit"));
        }
        return new BuildList(builds.list(Optional.ofNullable(repo), Optional.ofNullable(branch), Optional.ofNullable(status), limit));
    }

    @GET
    @Path("/{id}")
    @RequiresRole(Role.VIEWER)
    public BuildRepresentation get(@PathParam("id") String id) {
        return builds.get(id);
    }

    @POST
    @Path("/{id}/cancel")
    @RequiresRole(Role.DEVELOPER)
    public BuildRepresentation cancel(@Context SecurityContext security, @PathParam("id") String id) {
        return builds.cancel(Authentication.caller(security), id);
    }

    @POST
    @Path("/{id}/rerun")
    @RequiresRole(Role.DEVELOPER)
    public Response rerun(@Context SecurityContext security, @PathParam("id") String id) {
        BuildService.Enqueued enqueued = builds.rerun(Authentication.caller(security), id);
        return Response.status(enqueued.created() ? Response.Status.CREATED : Response.Status.OK).entity(enqueued.build()).build();
    }

    /**
     * The last {@code lines} lines of the log as JSON; with {@code follow=true}, the log as it grows, over
     * server-sent events: each line an event {@code log} whose id is its line number (a client that reconnects
     * with {@code Last-Event-ID} resumes after it), {@code status} when the build's status changes, and {@code end}
     * once the build finished and every line was sent.
     */
    @GET
    @Path("/{id}/logs")
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @RequiresRole(Role.VIEWER)
    public Response logs(@PathParam("id") String id, @QueryParam("lines") @DefaultValue("100") int lines,
                         @QueryParam("follow") @DefaultValue("false") boolean follow,
                         @HeaderParam("Last-Event-ID") String lastEventId) {
        if (lines < 1 || lines > MAX_LINES) {
            throw new ApiException(400, "invalid_field", "lines is between 1 and " + MAX_LINES, Map.of("field", "lines"));
        }
        BuildRepresentation build = builds.get(id);
        if (!follow) {
            return Response.ok(new LogPage(id, build.status(), builds.tail(id, lines), build.logLines(), build.logTruncated())).build();
        }
        long from = 1;
        if (lastEventId != null) {
            try {
                from = Long.parseLong(lastEventId.trim()) + 1;
            } catch (NumberFormatException e) {
                throw new ApiException(400, "invalid_header", "Last-Event-ID is the number of the last line received");
            }
        } else if (build.logLines() > lines) {
            from = build.logLines() - lines + 1;
        }
        ChunkedOutput<String> stream = new ChunkedOutput<>(String.class);
        long start = from;
        events.follow(() -> follow(id, start, stream));
        return Response.ok(stream, MediaType.SERVER_SENT_EVENTS_TYPE)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    /** Sends the log from line {@code from} on, then waits for more, until the build finished and all was sent. */
    private void follow(String id, long from, ChunkedOutput<String> stream) {
        Semaphore changed = events.watch(id);
        try (stream) {
            long next = from;
            String status = null;
            while (!stream.isClosed()) {
                BuildRepresentation build = builds.get(id);
                List<BuildService.LogLine> lines = builds.linesFrom(id, next, 5000);
                StringBuilder chunk = new StringBuilder();
                for (BuildService.LogLine line : lines) {
                    event(chunk, "log", Long.toString(line.line()), Json.write(line));
                    next = line.line() + 1;
                }
                if (!build.status().equals(status)) {
                    status = build.status();
                    event(chunk, "status", null, Json.write(Map.of("status", status)));
                }
                boolean done = lines.isEmpty() && BuildService.FINISHED.contains(build.status()) && next > build.logLines();
                if (done) {
                    event(chunk, "end", null, Json.write(build));
                }
                if (!chunk.isEmpty()) {
                    stream.write(chunk.toString());
                }
                if (done) {
                    return;
                }
                if (lines.isEmpty() && !changed.tryAcquire(HEARTBEAT_SECONDS, TimeUnit.SECONDS)) {
                    stream.write(": keep-alive\n\n");
                }
                changed.drainPermits();
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            events.forget(id, changed);
        }
    }

    private static void event(StringBuilder text, String event, String id, String data) {
        if (id != null) {
            text.append("id: ").append(id).append('\n');
        }
        text.append("event: ").append(event).append('\n').append("data: ").append(data).append("\n\n");
    }
}
