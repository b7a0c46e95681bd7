package dev.gantry.server.persistence;

import dev.gantry.server.config.Settings;
import java.time.Duration;
import java.util.Optional;

/** With no {@code database.url}, Gantry runs embedded PostgreSQL in its data directory. */
public record DatabaseConfig(Optional<String> url, String user, String password, int poolSize, Duration connectTimeout) {
    public static DatabaseConfig from(Settings settings) {
        Optional<String> url = settings.optionalString("database.url");
        url.filter(value -> !value.startsWith("jdbc:postgresql://"))
                .ifPresent(value -> settings.problem("database.url", "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)"));
        String user = settings.string("database.user", "gantry");
        String password = settings.string("database.password", "");
        int poolSize = settings.integer("database.pool-size", 10, 2, 200);
        // how long start-up keeps trying to reach the database (it may be starting too) before giving up
        Duration connectTimeout = settings.duration("database.connect-timeout", Duration.ofSeconds(30));
        return new DatabaseConfig(url, user, password, poolSize, connectTimeout);
    }

    public boolean embedded() {
        return url.isEmpty();
    }

    @Override
    public String toString() {
        return "DatabaseConfig[url=" + url.map(Database::withoutParameters).orElse("embedded") + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
}
