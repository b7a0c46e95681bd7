package dev.gantry.server.auth;

import java.security.Principal;

/** A build agent calling with an agent token: it may lease and run builds, nothing else. */
public record AgentPrincipal(String tokenId, String tokenName) implements Principal {
    @Override
    public String getName() {
        return "agent:" + tokenName;
    }
}
