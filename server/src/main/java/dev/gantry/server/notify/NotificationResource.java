package dev.gantry.server.notify;

import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.server.auth.Authentication;
import dev.gantry.server.auth.RequiresRole;
import dev.gantry.server.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.time.Clock;
import java.util.List;
import java.util.Map;

@Path("/api/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class NotificationResource {
    private final NotificationService notifications;
    private final Clock clock;

    @Inject
    public NotificationResource(NotificationService notifications, Clock clock) {
        this.notifications = notifications;
        this.clock = clock;
    }

    public record TestRequest(String message) {
    }

    public record TestResult(List<NotificationService.Delivery> deliveries) {
    }

    /** Sends a test notification through every notifier and says how each fared, so admins can check set-up. */
    @POST
    @Path("/test")
    @RequiresRole(Role.ADMIN)
    public TestResult test(@Context SecurityContext security, @Context UriInfo uri, TestRequest body) {
        String sender = Authentication.caller(security).name();
        String text = body != null && body.message() != null ? body.message() : "Notifications from Gantry reach this channel.";
        Notification notification = new Notification("test", "Test notification from Gantry", text,
                uri.getBaseUri().toString(), Map.of("sent_by", sender), clock.instant());
        return new TestResult(notifications.sendToAll(notification));
    }
}
