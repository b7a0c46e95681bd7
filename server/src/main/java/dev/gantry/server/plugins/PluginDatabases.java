package dev.gantry.server.plugins;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gantry.plugin.api.PluginDatabase;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.secrets.MasterKey;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each plugin that keeps data gets its own schema and its own PostgreSQL role, which owns that schema and has no
 * rights on the server's tables: the confinement is PostgreSQL's, not a convention. The role's password is derived
 * from the master key, so every replica can log in as it. Migrations come from the plugin's
 * {@code db/migration/<plugin id>/} and run as the plugin's role.
 */
public final class PluginDatabases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginDatabases.class);

    private final Database database;
    private final MasterKey masterKey;
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

    @Inject
    public PluginDatabases(Database database, MasterKey masterKey) {
        this.database = database;
        this.masterKey = masterKey;
    }

    static String schemaOf(String pluginId) {
        return "plugin_" + pluginId.replace('-', '_');
    }

    static String roleOf(String pluginId) {
        return "gantry_plugin_" + pluginId.replace('-', '_');
    }

    static String migrationsOf(String pluginId) {
        return "db/migration/" + pluginId;
    }

    /** Whether the plugin ships migrations, so its schema must exist before it starts. */
    static boolean shipsMigrations(String pluginId, ClassLoader loader) {
        return loader.getResource(migrationsOf(pluginId)) != null;
    }

    /** Creates the plugin's role and schema if needed, applies its migrations, and returns its database. */
    synchronized PluginDatabase open(String pluginId, ClassLoader loader) {
        HikariDataSource pool = pools.get(pluginId);
        if (pool == null) {
            ensureRoleAndSchema(pluginId);
            pool = connect(pluginId);
            pools.put(pluginId, pool);
            if (shipsMigrations(pluginId, loader)) {
                try {
                    var result = Flyway.configure(loader)
                            .dataSource(pool)
                            .schemas(schemaOf(pluginId))
                            .locations("classpath:" + migrationsOf(pluginId))
                            .load()
                            .migrate();
                    log.info("Plugin {}: schema {} at version {}", pluginId, schemaOf(pluginId), result.targetSchemaVersion);
                } catch (RuntimeException e) {
                    pools.remove(pluginId).close();
                    throw new PluginLoadException("the database migrations of plugin '" + pluginId + "' failed: "
                            + e.getMessage(), e);
                }
            }
        }
        String schema = schemaOf(pluginId);
        DataSource dataSource = pool;
        return new PluginDatabase() {
            @Override
            public String schema() {
                return schema;
            }

            @Override
            public DataSource dataSource() {
                return dataSource;
            }
        };
    }

    private void ensureRoleAndSchema(String pluginId) {
        String role = roleOf(pluginId);
        String schema = schemaOf(pluginId);
        try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet rights = statement.executeQuery(
                    "select rolsuper or rolcreaterole from pg_roles where rolname = current_user")) {
                if (!rights.next() || !rights.getBoolean(1)) {
                    throw new PluginLoadException("plugin '" + pluginId + "' keeps data in its own schema, which needs a "
                            + "database user allowed to create roles: grant CREATEROLE to Gantry's database user");
                }
            }
            // role and schema names come from a validated plugin id ([a-z0-9-]), never from free text;
            // one transaction, so the lock keeps replicas starting together from racing on the same role
            connection.setAutoCommit(false);
            statement.execute("select pg_advisory_xact_lock(hashtext('gantry.plugin-schema'))");
            String password = masterKey.derive("plugin-database:" + pluginId).replace("'", "");
            statement.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + role + "') then "
                    + "create role " + role + " login password '" + password + "'; end if; end $$");
            statement.execute("alter role " + role + " login password '" + password + "'");
            statement.execute("alter role " + role + " set search_path = " + schema);
            statement.execute("grant " + role + " to current_user");
            statement.execute("create schema if not exists " + schema + " authorization " + role);
            connection.commit();
        } catch (SQLException e) {
            throw new PluginLoadException("cannot prepare the database schema of plugin '" + pluginId + "': " + e.getMessage(), e);
        }
    }

    private HikariDataSource connect(String pluginId) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("plugin-" + pluginId);
        // credentials in the URL would override the plugin role's
        config.setJdbcUrl(database.jdbcUrl().replaceAll("(?<=[?&])(user|password)=[^&]*(&|$)", "").replaceAll("[?&]$", ""));
        config.setUsername(roleOf(pluginId));
        config.setPassword(masterKey.derive("plugin-database:" + pluginId).replace("'", ""));
        config.setSchema(schemaOf(pluginId));
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    /** Closes the plugin's connections (on uninstall); its schema and data stay. */
    synchronized void close(String pluginId) {
        HikariDataSource pool = pools.remove(pluginId);
        if (pool != null) {
            pool.close();
        }
    }

    @Override
    public synchronized void close() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
