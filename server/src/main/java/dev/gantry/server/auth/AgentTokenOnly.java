package dev.gantry.server.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A route of the build agents' protocol: only an agent token ({@code gtyagt_}) may call it, no user's token or
 * session; the route reads {@link Authentication#agent} for the calling agent. Every other route refuses agent tokens.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface AgentTokenOnly {
}
