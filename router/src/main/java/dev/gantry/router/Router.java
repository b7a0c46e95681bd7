package dev.gantry.router;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running router: the public connector (proxied traffic), the admin connector on 127.0.0.1, the state and the
 * samples. {@link #start} returns once both connectors listen and admin.json is written; {@link #close} stops
 * accepting, lets in-flight requests finish ({@value #DRAIN_MILLIS} ms at most) and stops.
 *
 * <p>The state directory holds state.json (the fenced weights, rewritten atomically before a change is answered),
 * admin.json (pid, ports, admin token; mode 0600) and router.lock (held while a router runs on the directory, so
 * two routers never write one state).
 */
public final class Router implements AutoCloseable {
    public static final String ADMIN_FILE = "admin.json";
    public static final String LOCK_FILE = "router.lock";
    static final long DRAIN_MILLIS = 5_000;
    private static final long LOCK_WAIT_MILLIS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final Path stateDir;
    private final Server server;
    private final ServerConnector publicConnector;
    private final ServerConnector adminConnector;
    private final RouterProxyHandler proxy;
    private final StateHolder state;
    private final String adminToken;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;

    private Router(Path stateDir, Server server, ServerConnector publicConnector, ServerConnector adminConnector,
            RouterProxyHandler proxy, StateHolder state, String adminToken, FileChannel lockChannel, FileLock lock) {
        this.stateDir = stateDir;
        this.server = server;
        this.publicConnector = publicConnector;
        this.adminConnector = adminConnector;
        this.proxy = proxy;
        this.state = state;
        this.adminToken = adminToken;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static Router start(RouterOptions options) throws RouterException {
        try {
            options.validate();
        } catch (IllegalArgumentException e) {
            throw new RouterException(e.getMessage(), e);
        }
        Path dir = options.stateDir().toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new RouterException("cannot create the state directory " + dir + ": " + e, e);
        }
        FileChannel lockChannel;
        FileLock lock;
        try {
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new RouterException("cannot open " + dir.resolve(LOCK_FILE) + ": " + e, e);
        }
        try {
            lock = acquire(lockChannel, dir);
        } catch (RouterException e) {
            closeQuietly(lockChannel);
            throw e;
        }
        Server server = null;
        try {
            ObjectMapper mapper = new ObjectMapper();
            SampleStore samples = new SampleStore(options.samplesPerVersion());
            StateHolder state = StateHolder.load(dir, mapper, samples);
            state.writeIfMissing();
            String token = HexFormat.of().formatHex(randomBytes(32));
            long pid = ProcessHandle.current().pid();

            // proxying does not block (see RouterProxyHandler): a few threads serve thousands of requests a second;
            // the rest are for the admin API and bursts
            QueuedThreadPool threads = new QueuedThreadPool(64, 4);
            threads.setName("router");
            server = new Server(threads);
            // close() drains in-flight requests itself; Jetty's graceful stop would also wait for idle keep-alive
            // connections to go away
            server.setStopTimeout(0);

            HttpConfiguration publicHttp = new HttpConfiguration();
            // the backend's Server and Date headers pass through; the router adds none of its own
            publicHttp.setSendServerVersion(false);
            publicHttp.setSendDateHeader(false);
            ServerConnector publicConnector = new ServerConnector(server, new HttpConnectionFactory(publicHttp));
            publicConnector.setHost(options.listenHost());
            publicConnector.setPort(options.listenPort());
            publicConnector.setName("public");

            HttpConfiguration adminHttp = new HttpConfiguration();
            adminHttp.setSendServerVersion(false);
            ServerConnector adminConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(adminHttp));
            adminConnector.setHost("127.0.0.1");
            adminConnector.setPort(0);
            adminConnector.setName("admin");
            server.addConnector(publicConnector);
            server.addConnector(adminConnector);

            AdminHandler admin = new AdminHandler(mapper, state, samples, token, pid);
            RouterProxyHandler proxy = new RouterProxyHandler(state, admin);
            proxy.setAdminConnector(adminConnector);
            server.setHandler(proxy);
            try {
                server.start();
            } catch (IOException e) {
                throw new RouterException("cannot listen on " + options.listenHost() + ":" + options.listenPort() + ": " + e.getMessage(), e);
            }
            admin.setListenPort(publicConnector.getLocalPort());

            ObjectNode adminJson = mapper.createObjectNode();
            adminJson.put("pid", pid);
            adminJson.put("listen_port", publicConnector.getLocalPort());
            adminJson.put("admin_port", adminConnector.getLocalPort());
            adminJson.put("admin_token", token);
            adminJson.put("started_at", Instant.now().toString());
            AtomicFiles.write(dir.resolve(ADMIN_FILE), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(adminJson), true);

            RouterState current = state.state();
            LOG.info("Router listening on {}:{} (admin on 127.0.0.1:{}), state in {}: fence {}, {} version(s)",
                    options.listenHost(), publicConnector.getLocalPort(), adminConnector.getLocalPort(), dir,
                    current.fence(), current.versions().size());
            return new Router(dir, server, publicConnector, adminConnector, proxy, state, token, lockChannel, lock);
        } catch (RouterException | RuntimeException e) {
            stopQuietly(server);
            releaseQuietly(lock, lockChannel);
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            releaseQuietly(lock, lockChannel);
            throw new RouterException("the router did not start: " + e, e);
        }
    }

    private static FileLock acquire(FileChannel channel, Path dir) throws RouterException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCK_WAIT_MILLIS);
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException e) {
                // held by another router in this JVM
            } catch (IOException e) {
                throw new RouterException("cannot lock " + dir.resolve(LOCK_FILE) + ": " + e, e);
            }
            if (System.nanoTime() > deadline) {
                throw new RouterException("another router is running on " + dir + " (" + LOCK_FILE + " is locked)");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RouterException("interrupted while waiting for " + dir.resolve(LOCK_FILE));
            }
        }
    }

    public int listenPort() {
        return publicConnector.getLocalPort();
    }

    public int adminPort() {
        return adminConnector.getLocalPort();
    }

    public String adminToken() {
        return adminToken;
    }

    public Path stateDir() {
        return stateDir;
    }

    public RouterState state() {
        return state.state();
    }

    /** Waits until {@code inFlight} is 0, the deadline passes or the thread is interrupted; true when it is 0. */
    static boolean awaitZero(IntSupplier inFlight, long deadlineNanos, long pollMillis) {
        while (inFlight.getAsInt() > 0 && System.nanoTime() - deadlineNanos < 0) {
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return inFlight.getAsInt() == 0;
    }

    /** Stops accepting, waits for in-flight proxied requests ({@value #DRAIN_MILLIS} ms at most), stops. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("Router stopping");
        publicConnector.shutdown();
        if (!awaitZero(proxy::inFlight, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS), 10)) {
            LOG.warn("Router stopping with {} request(s) still in flight", proxy.inFlight());
        }
        stopQuietly(server);
        releaseQuietly(lock, lockChannel);
        LOG.info("Router stopped");
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static void stopQuietly(Server server) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Router did not stop cleanly: {}", e.toString());
        }
    }

    private static void releaseQuietly(FileLock lock, FileChannel channel) {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
