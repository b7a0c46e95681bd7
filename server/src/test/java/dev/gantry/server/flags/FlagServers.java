package dev.gantry.server.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestPlugins;
import dev.gantry.server.testing.TestServer;
import java.util.Map;

/** Test servers with the real flag store plugin (built from plugins/flags-postgres) installed. */
final class FlagServers {
    private static byte[] zip;

    private FlagServers() {
    }

    static synchronized byte[] flagStoreZip() {
        if (zip == null) {
            zip = TestPlugins.fromModule("flags-postgres").zip();
        }
        return zip;
    }

    static TestServer start(Map<String, String> settings) {
        TestServer server = TestServer.start(settings);
        Api.Reply installed = server.api().postBytes("/api/plugins", TestServer.ADMIN_TOKEN, "application/zip", flagStoreZip());
        assertThat(installed.status()).as(installed.body()).isEqualTo(201);
        return server;
    }
}
