package dev.gantry.plugin.api.notify;

import org.pf4j.ExtensionPoint;

/** Tells people about events: build finished, deploy rolled back, approval waiting, flag stale. */
public interface Notifier extends ExtensionPoint {
    /** Delivers the notification or throws; the server records failures and does not retry forever. */
    void send(Notification notification);

    /**
     * Whether the notifier has somewhere to deliver. Events skip one that is not (an installed but unconfigured
     * plugin is not an error); an explicit test notification still calls {@link #send}, so its error is shown.
     */
    default boolean configured() {
        return true;
    }
}
