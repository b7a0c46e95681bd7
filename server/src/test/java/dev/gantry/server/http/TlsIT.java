package dev.gantry.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.testing.TestKeystore;
import dev.gantry.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class TlsIT {
    @Test
    void withTlsOnTheServerSpeaksHttpsWithTheConfiguredCertificate() throws Exception {
        TestKeystore keystore = TestKeystore.create();

        try (TestServer server = TestServer.start(Map.of("tls.enabled", "true", "tls.keystore.path", keystore.path().toString(),
                "tls.keystore.password", keystore.password()))) {
            URI url = server.server().url();
            assertThat(url.getScheme()).isEqualTo("https");

            SSLContext tls = keystore.trustingContext();
            HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(url.resolve("/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);

            HttpResponse<String> me = client.send(HttpRequest.newBuilder(url.resolve("/api/users/me"))
                    .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(me.body()).contains("\"name\":\"admin\"");
        }
    }
}
