package dev.gantry.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Light flag stream readers for FlagBench: each is a real HTTP/1.1 connection to {@code GET /api/flags/stream} that the
 * server writes every event to, as it does to an SDK's. One thread reads them all and discards the bytes, noting only
 * when the {@code event: flag} of a key first arrives on each connection (the time of the read that brought it). They
 * cost the benchmark's machine far less than an SDK client each, so the server is measured rather than 1,000 SDKs
 * sharing its cores.
 */
final class RawEventStreams implements AutoCloseable {
    interface Arrival {
        void flag(int stream, String key, long nanos);
    }

    private static final byte[] FLAG_EVENT = "event: flag\ndata: {\"key\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT = "event: snapshot\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII);

    private final Selector selector;
    private final List<Stream> streams = new ArrayList<>();
    private final CountDownLatch snapshots;
    private final Arrival arrival;
    private final Thread reader;
    private volatile boolean running = true;
    private volatile String failure;

    /** A connection's bytes not yet scanned to the end of a pattern: a pattern may be split over two reads. */
    private static final class Stream {
        final int index;
        final SocketChannel channel;
        byte[] pending = new byte[0];
        boolean statusChecked;
        boolean snapshotSeen;

        Stream(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    /** Opens {@code count} streams numbered from {@code firstIndex}; they are read from now on. */
    RawEventStreams(URI server, String token, String environment, int firstIndex, int count, Arrival arrival) throws IOException {
        this.arrival = arrival;
        this.selector = Selector.open();
        this.snapshots = new CountDownLatch(count);
        byte[] request = ("GET /api/flags/stream?environment=" + environment + " HTTP/1.1\r\n"
                + "Host: " + server.getHost() + ":" + server.getPort() + "\r\n"
                + "Accept: text/event-stream\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress address = new InetSocketAddress(server.getHost(), server.getPort());
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open(address);
            channel.write(ByteBuffer.wrap(request));
            channel.configureBlocking(false);
            Stream stream = new Stream(firstIndex + i, channel);
            streams.add(stream);
            channel.register(selector, SelectionKey.OP_READ, stream);
        }
        reader = new Thread(this::read, "raw-event-streams");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until every stream got its snapshot. */
    boolean awaitSnapshots(Duration timeout) throws InterruptedException {
        boolean all = snapshots.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (failure != null) {
            throw new AssertionError(failure);
        }
        return all;
    }

    private void read() {
        ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
        try {
            while (running) {
                selector.select(500);
                for (SelectionKey key : selector.selectedKeys()) {
                    Stream stream = (Stream) key.attachment();
                    buffer.clear();
                    int read = stream.channel.read(buffer);
                    long now = System.nanoTime();
                    if (read < 0) {
                        key.cancel();
                        if (running) {
                            failure = "the server closed raw stream " + stream.index;
                        }
                        continue;
                    }
                    scan(stream, buffer.array(), read, now);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                failure = "raw streams failed: " + e;
            }
        }
    }

    private void scan(Stream stream, byte[] bytes, int length, long now) {
        byte[] data = stream.pending.length == 0 ? Arrays.copyOf(bytes, length) : concat(stream.pending, bytes, length);
        if (!stream.statusChecked) {
            if (data.length < OK.length) {
                stream.pending = data;
                return;
            }
            if (!Arrays.equals(data, 0, OK.length, OK, 0, OK.length)) {
                failure = "raw stream " + stream.index + " was answered "
                        + new String(data, 0, Math.min(data.length, 200), StandardCharsets.UTF_8);
                running = false;
                return;
            }
            stream.statusChecked = true;
        }
        int keep = 0;
        if (!stream.snapshotSeen) {
            if (indexOf(data, SNAPSHOT, 0) >= 0) {
                stream.snapshotSeen = true;
                snapshots.countDown();
            } else {
                keep = Math.max(keep, SNAPSHOT.length - 1);
            }
        }
        int from = 0;
        while (true) {
            int at = indexOf(data, FLAG_EVENT, from);
            if (at < 0) {
                keep = Math.max(keep, Math.min(data.length - from, FLAG_EVENT.length - 1));
                break;
            }
            int start = at + FLAG_EVENT.length;
            int end = start;
            while (end < data.length && data[end] != '"') {
                end++;
            }
            if (end == data.length) {
                keep = Math.max(keep, data.length - at); // the key continues in the next read
                break;
            }
            arrival.flag(stream.index, new String(data, start, end - start, StandardCharsets.UTF_8), now);
            from = end;
        }
        keep = Math.min(keep, data.length);
        stream.pending = keep == 0 ? new byte[0] : Arrays.copyOfRange(data, data.length - keep, data.length);
    }

    private static byte[] concat(byte[] head, byte[] tail, int tailLength) {
        byte[] joined = Arrays.copyOf(head, head.length + tailLength);
        System.arraycopy(tail, 0, joined, head.length, tailLength);
        return joined;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            reader.join(2000);
            for (Stream stream : streams) {
                stream.channel.close();
            }
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
