package dev.gantry.server.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A route that an SDK token may call as well as the users its {@link RequiresRole} admits; the route then reads
 * {@link Authentication#sdkClient} to confine the SDK to its environment. Every other route refuses SDK tokens.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface SdkTokenAllowed {
}
