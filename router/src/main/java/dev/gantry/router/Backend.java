package dev.gantry.router;

/** One backend of a version, parsed from {@code host:port} (an IPv6 address in brackets). */
record Backend(String host, int port) {
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
        return port >= 1 && port <= 65535 ? new Backend(host, port) : null;
    }
}
