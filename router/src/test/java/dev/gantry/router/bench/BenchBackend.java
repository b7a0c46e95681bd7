package dev.gantry.router.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The benchmark's backend (scripts/bench-router): a trivial HTTP/1.1 server on 127.0.0.1 that answers every request
 * 200 with a 2-byte body, as fast as Jetty can. Writes its port to the file given as the only argument.
 */
public final class BenchBackend {
    private static final ByteBuffer BODY = ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();

    private BenchBackend() {
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server(new QueuedThreadPool(64, 4));
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.write(true, BODY.duplicate(), callback);
                return true;
            }
        });
        server.start();
        Path portFile = Path.of(args[0]);
        Path temp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(temp, Integer.toString(connector.getLocalPort()));
        Files.move(temp, portFile);
        server.join();
    }
}
