package dev.gantry.plugin.api.notify;

import org.pf4j.ExtensionPoint;

/** Tells people about events: build finished, deploy rolled back, approval waiting, flag stale. */
public interface Notifier extends ExtensionPoint {
    /** Delivers the notification or throws; the server records failures and does not retry forever. */
    void send(Notification notification);
}
