package dev.gantry.server.http;

import java.util.concurrent.atomic.AtomicReference;

/** Whether the server can serve the API yet, and if not, what it is waiting for or why it failed. */
public final class Readiness {
    private final AtomicReference<String> waitingFor = new AtomicReference<>("the database");
    private volatile boolean ready;

    public boolean isReady() {
        return ready;
    }

    public String waitingFor() {
        return waitingFor.get();
    }

    public void waitFor(String what) {
        waitingFor.set(what);
    }

    public void markReady() {
        waitingFor.set("nothing");
        ready = true;
    }
}
