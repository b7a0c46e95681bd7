package dev.gantry.router;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend of a version, parsed from {@code host:port} (an IPv6 address in brackets), with the number of proxied
 * requests it has in flight. A backend that stays across a state change is the same object in the new table, so its
 * count goes on; one that leaves can be waited on until it has none.
 */
final class Backend {
    private final String address;
    private final String host;
    private final int port;
    private final AtomicInteger inFlight = new AtomicInteger();

    private Backend(String address, String host, int port) {
        this.address = address;
        this.host = host;
        this.port = port;
    }

    /** The backend, or null when {@code hostPort} is not {@code host:port} with a port from 1 to 65535. */
    static Backend parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1 || hostPort.length() - colon > 6) {
            return null;
        }
        String host = hostPort.substring(0, colon);
        if (!StateCodec.isHost(host)) {
            return null;
        }
        int port = 0;
        for (int i = colon + 1; i < hostPort.length(); i++) {
            char c = hostPort.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            port = port * 10 + (c - '0');
        }
        return port >= 1 && port <= 65535 ? new Backend(hostPort, host, port) : null;
    }

    String address() {
        return address;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestEnded() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    @Override
    public String toString() {
        return address;
    }
}
