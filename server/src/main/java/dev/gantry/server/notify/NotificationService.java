package dev.gantry.server.notify;

import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.plugin.api.notify.Notifier;
import dev.gantry.server.plugins.Extension;
import dev.gantry.server.plugins.PluginHost;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends notifications through every enabled {@link Notifier}; one failing notifier never stops the others. */
public class NotificationService {
    private static final Logger log = LoggerFactory.getLogger(NotificationService.class);
    private final PluginHost plugins;

    @Inject
    public NotificationService(PluginHost plugins) {
        this.plugins = plugins;
    }

    /** How one notifier fared: {@code error} is null when it delivered. */
    public record Delivery(String plugin, String extension, boolean delivered, String error, long durationMs) {
    }

    /** Sends an event through every configured notifier. */
    public List<Delivery> send(Notification notification) {
        return send(notification, false);
    }

    /** Sends through every notifier, the unconfigured ones too, so that their errors show (the test endpoint). */
    public List<Delivery> sendToAll(Notification notification) {
        return send(notification, true);
    }

    private List<Delivery> send(Notification notification, boolean unconfiguredToo) {
        List<Delivery> deliveries = new ArrayList<>();
        for (Extension<Notifier> notifier : plugins.extensions(Notifier.class)) {
            if (!unconfiguredToo && !notifier.instance().configured()) {
                continue;
            }
            long started = System.nanoTime();
            String error = null;
            try {
                notifier.instance().send(notification);
            } catch (RuntimeException e) {
                error = e.getMessage();
                log.warn("Notification {} not delivered: {}", notification.event(), error);
            }
            deliveries.add(new Delivery(notifier.pluginId(), notifier.className(), error == null, error,
                    (System.nanoTime() - started) / 1_000_000));
        }
        return deliveries;
    }
}
