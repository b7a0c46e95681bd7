package dev.gantry.server.flags;

import dev.gantry.server.config.Settings;
import java.time.Duration;

/**
 * {@code flags.*} settings: which plugin's {@code FlagProvider} keeps the flags ({@code flags.store}, a plugin id),
 * the environment the shorthand create and the kill switch use when none is named, when a settled flag counts as
 * stale and how often the hygiene job looks, the stream's heartbeat and how much one stream client may fall behind
 * before it is dropped, and how long stream events and exposure counts are kept.
 */
public record FlagsConfig(String store, String defaultEnvironment, Duration staleAfter, Duration hygieneInterval,
                          Duration heartbeat, int clientBufferBytes, Duration eventRetention, Duration exposureRetention) {

    public static FlagsConfig from(Settings settings) {
        String store = settings.string("flags.store", "flags-postgres");
        if (!store.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            settings.problem("flags.store", "must be the id of an installed plugin that provides a FlagProvider, such as flags-postgres");
        }
        String environment = settings.string("flags.default-environment", "production");
        if (!FlagValidation.ENVIRONMENT.matcher(environment).matches()) {
            settings.problem("flags.default-environment", "must be an environment name: 1 to 63 lowercase letters, digits or '-'");
        }
        Duration staleAfter = positive(settings, "flags.stale-after", Duration.ofDays(90));
        Duration hygiene = positive(settings, "flags.hygiene-interval", Duration.ofHours(1));
        Duration heartbeat = positive(settings, "flags.stream.heartbeat", Duration.ofSeconds(15));
        if (heartbeat.compareTo(Duration.ofSeconds(25)) > 0) {
            // Jetty closes a connection idle for 30 s; a heartbeat must come sooner
            settings.problem("flags.stream.heartbeat", "must be at most 25s, or idle streams are closed under the clients");
            heartbeat = Duration.ofSeconds(15);
        }
        int bufferKib = settings.integer("flags.stream.client-buffer-kib", 256, 1, 64 * 1024);
        Duration events = positive(settings, "flags.event-retention", Duration.ofDays(7));
        Duration exposures = positive(settings, "flags.exposure-retention", Duration.ofHours(24));
        if (exposures.compareTo(Duration.ofHours(1)) < 0) {
            settings.problem("flags.exposure-retention", "must be at least 1h: a flag's status counts the users of the last hour");
            exposures = Duration.ofHours(24);
        }
        return new FlagsConfig(store, environment, staleAfter, hygiene, heartbeat, bufferKib * 1024, events, exposures);
    }

    private static Duration positive(Settings settings, String key, Duration defaultValue) {
        Duration value = settings.duration(key, defaultValue);
        if (value.isNegative() || value.isZero()) {
            settings.problem(key, "must be longer than zero");
            return defaultValue;
        }
        return value;
    }
}
