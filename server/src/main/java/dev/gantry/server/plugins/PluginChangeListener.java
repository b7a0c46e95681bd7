package dev.gantry.server.plugins;

import dev.gantry.server.persistence.Notifications;
import jakarta.inject.Inject;

/**
 * Applies plugin changes made on other replicas here at once, as they are announced over the database's
 * notifications. After the notification feed was lost it reconciles every plugin, since announcements may have been
 * missed meanwhile.
 */
public final class PluginChangeListener {
    private final Notifications notifications;
    private final PluginService plugins;

    @Inject
    public PluginChangeListener(Notifications notifications, PluginService plugins) {
        this.notifications = notifications;
        this.plugins = plugins;
    }

    /** Subscribes; call before the notification feed starts so that no announcement is missed. */
    public void start() {
        notifications.subscribe(PluginService.CHANNEL, payload -> {
            if (payload == null) {
                plugins.reconcileAll();
            } else {
                plugins.onAnnouncement(payload);
            }
        });
    }
}
