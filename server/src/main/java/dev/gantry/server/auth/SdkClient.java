package dev.gantry.server.auth;

import java.security.Principal;

/** An application's flag SDK calling with an SDK token: it may read the flags of {@code environment} only. */
public record SdkClient(String tokenId, String name, String environment) implements Principal {
    @Override
    public String getName() {
        return "sdk:" + name;
    }
}
