package dev.gantry.plugins.artifact.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP front for an S3 server that refuses every request carrying {@code If-None-Match} with one S3 error, and
 * passes everything else through unchanged (the Host header included, so signatures still hold). Each connection
 * carries one request, so that every request's head is seen here.
 */
final class ConditionalWritesRefusingProxy implements AutoCloseable {
    private final URI target;
    private final String statusLine;
    private final byte[] errorBody;
    private final boolean answers;
    private final AtomicBoolean hideFromNextHead;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "conditional-writes-refusing-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger refused = new AtomicInteger();

    private ConditionalWritesRefusingProxy(URI target, String statusLine, String code, String message,
            boolean answers, boolean hideFromFirstHead) throws IOException {
        this.target = target;
        this.statusLine = statusLine;
        this.errorBody = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        this.answers = answers;
        this.hideFromNextHead = new AtomicBoolean(hideFromFirstHead);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** As an S3-compatible server without conditional writes answers. */
    static ConditionalWritesRefusingProxy notImplemented(URI target) throws IOException {
        return new ConditionalWritesRefusingProxy(target, "501 Not Implemented", "NotImplemented",
                "A header you provided implies functionality that is not implemented", true, false);
    }

    /** As AWS answers when another conditional write of the same key is in flight. */
    static ConditionalWritesRefusingProxy conflicting(URI target) throws IOException {
        return new ConditionalWritesRefusingProxy(target, "409 Conflict", "ConditionalRequestConflict",
                "A conflicting conditional operation is currently in progress against this resource.", true, false);
    }

    /**
     * As s3proxy behaves when another writer stored the object just after this one looked, at its worst: the first
     * HEAD finds nothing, and the conditional PutObject is refused as soon as its head is read, the connection
     * closed without reading the body. That resets it under a client still sending the body, and the refusal is
     * lost; here it is lost every time.
     */
    static ConditionalWritesRefusingProxy storedByAnotherWriterAfterTheFirstLook(URI target) throws IOException {
        return new ConditionalWritesRefusingProxy(target, "412 Precondition Failed", "PreconditionFailed",
                "At least one of the preconditions you specified did not hold.", false, true);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** How many requests were refused. */
    int refused() {
        return refused.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream fromClient = client.getInputStream();
            List<String> head = readHead(fromClient);
            if (head.isEmpty()) {
                return;
            }
            if (head.get(0).startsWith("HEAD ") && hideFromNextHead.compareAndSet(true, false)) {
                answer(client, "404 Not Found", new byte[0]);
                return;
            }
            if (header(head, "if-none-match") != null) {
                refused.incrementAndGet();
                if (!answers) {
                    client.setSoLinger(true, 0); // close with a reset
                    return;
                }
                if (!"100-continue".equalsIgnoreCase(header(head, "expect"))) {
                    // a client that did not ask first is still sending its body: take it, then answer
                    String length = header(head, "content-length");
                    fromClient.skipNBytes(length == null ? 0 : Long.parseLong(length));
                }
                answer(client, statusLine, errorBody);
                return;
            }
            forward(client, fromClient, head);
        } catch (IOException e) {
            // the client or the server went away; nothing to report to anyone
        }
    }

    private static void answer(Socket client, String statusLine, byte[] body) throws IOException {
        OutputStream toClient = client.getOutputStream();
        toClient.write(("HTTP/1.1 " + statusLine + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        toClient.write(body);
        toClient.flush();
    }

    private void forward(Socket client, InputStream fromClient, List<String> head) throws IOException {
        try (Socket upstream = new Socket(target.getHost(), target.getPort())) {
            StringBuilder rewritten = new StringBuilder();
            for (String line : head) {
                if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                    rewritten.append(line).append("\r\n");
                }
            }
            rewritten.append("Connection: close\r\n\r\n");
            OutputStream toUpstream = upstream.getOutputStream();
            toUpstream.write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
            toUpstream.flush();
            threads.execute(() -> {
                try {
                    fromClient.transferTo(toUpstream);
                } catch (IOException e) {
                    // one side closed
                }
            });
            upstream.getInputStream().transferTo(client.getOutputStream());
        }
    }

    private static String header(List<String> head, String name) {
        for (String line : head.subList(1, head.size())) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** The request line and header lines, read up to the blank line; empty when the client closed first. */
    private static List<String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b == -1) {
                return List.of();
            }
            bytes.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        return new ArrayList<>(List.of(text.substring(0, text.length() - 4).split("\r\n")));
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
