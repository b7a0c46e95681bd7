package dev.gantry.router;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * The public side: Jetty's reverse proxy, with the backend chosen per request from the current {@link RoutingTable}
 * and every completed request recorded as a sample of its version. Requests that arrive on the admin connector go to
 * the admin handler instead.
 */
final class RouterProxyHandler extends ProxyHandler {
    static final String VERSION_HEADER = "X-Gantry-Version";
    private static final ByteBuffer NO_VERSION_BODY = ByteBuffer.wrap(
            "{\"error\":\"no_backend\",\"message\":\"no version has traffic weight\"}".getBytes(StandardCharsets.UTF_8))
            .asReadOnlyBuffer();
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    /**
     * The backend chosen in {@link #handle} for {@link #rewriteHttpURI}, which ProxyHandler calls on the same thread
     * before handle returns: a thread-local instead of a request attribute (which would allocate a map per request).
     */
    private static final ThreadLocal<Backend> CHOSEN = new ThreadLocal<>();

    private final Supplier<RoutingTable> table;
    private final Handler admin;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Connector adminConnector;

    RouterProxyHandler(Supplier<RoutingTable> table, Handler admin) {
        this.table = table;
        this.admin = admin;
        setUseServerThreadPool(true);
        addBean(admin);
    }

    @Override
    public void setServer(Server server) {
        super.setServer(server);
        admin.setServer(server);
    }

    void setAdminConnector(Connector adminConnector) {
        this.adminConnector = adminConnector;
    }

    int inFlight() {
        return inFlight.get();
    }

    /**
     * Proxying never blocks (Jetty's HttpClient sends asynchronously), so Jetty may run it on the thread that read the
     * request instead of handing it to another: fewer thread switches per request, and no pile-up of threads when the
     * machine is busy.
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /**
     * HTTP/1.1 to the backends, without the protocol negotiation of ProxyHandler's default (dynamic) transport; and,
     * as the proxy's response listeners do not block either, they run on the thread that read the backend's response.
     */
    @Override
    protected HttpClient newHttpClient() {
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(new ClientConnector());
        transport.setInvocationType(InvocationType.NON_BLOCKING);
        return new HttpClient(transport);
    }

    @Override
    protected void configureHttpClient(HttpClient httpClient) {
        super.configureHttpClient(httpClient);
        httpClient.setConnectTimeout(CONNECT_TIMEOUT_MS);
        // the client's own User-Agent is forwarded; Jetty's is not added when it has none
        httpClient.setUserAgentField(null);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (request.getConnectionMetaData().getConnector() == adminConnector) {
            // the admin API blocks (it reads bodies, fsyncs, streams samples): off the caller's thread, which may be a
            // selector thread since this handler says it does not block
            request.getComponents().getExecutor().execute(() -> {
                try {
                    admin.handle(request, response, callback);
                } catch (Throwable e) {
                    Response.writeError(request, response, callback, e);
                }
            });
            return true;
        }
        Route route;
        Backend backend;
        while (true) {
            RoutingTable current = table.get();
            route = current.choose(request.getHeaders());
            backend = route == null || route.backends.length == 0 ? null : route.nextBackend();
            if (backend == null) {
                break;
            }
            // counted before the table is looked at again: a state change that took this backend away either is
            // seen here (and the request is routed anew) or sees the count and waits for the request
            backend.requestStarted();
            if (table.get() == current) {
                break;
            }
            backend.requestEnded();
        }
        Exchange exchange = new Exchange(request.getBeginNanoTime(), route, backend, response, callback);
        inFlight.incrementAndGet();
        if (backend == null) {
            response.setStatus(HttpStatus.SERVICE_UNAVAILABLE_503);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString());
            if (route != null) {
                response.getHeaders().add(route.versionHeader);
            }
            response.write(true, (route == null ? NO_VERSION_BODY : route.noBackendBody).duplicate(), exchange);
            return true;
        }
        response.getHeaders().add(route.versionHeader);
        CHOSEN.set(backend);
        try {
            return super.handle(request, response, exchange);
        } catch (RuntimeException e) {
            if (!response.isCommitted()) {
                Response.writeError(request, response, exchange, e);
            } else {
                exchange.failed(e);
            }
            return true;
        } finally {
            CHOSEN.set(null);
        }
    }

    @Override
    protected HttpURI rewriteHttpURI(Request request) {
        Backend backend = CHOSEN.get();
        return HttpURI.build(request.getHttpURI()).scheme(HttpScheme.HTTP).host(backend.host()).port(backend.port());
    }

    /** The backend's own X-Gantry-Version, if any, gives way to the router's. */
    @Override
    protected HttpField filterServerToProxyResponseField(HttpField field) {
        return field.is(VERSION_HEADER) ? null : field;
    }

    /** Completes the client's request and records its sample: the only object the router adds per request. */
    private final class Exchange implements Callback {
        private final long beginNanos;
        private final Route route;
        private final Backend backend;
        private final Response response;
        private final Callback delegate;

        Exchange(long beginNanos, Route route, Backend backend, Response response, Callback delegate) {
            this.beginNanos = beginNanos;
            this.route = route;
            this.backend = backend;
            this.response = response;
            this.delegate = delegate;
        }

        @Override
        public void succeeded() {
            record(response.getStatus());
            delegate.succeeded();
        }

        @Override
        public void failed(Throwable failure) {
            // not committed: Jetty answers 500 for a failed callback
            record(response.isCommitted() ? response.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR_500);
            delegate.failed(failure);
        }

        @Override
        public InvocationType getInvocationType() {
            return delegate.getInvocationType();
        }

        private void record(int status) {
            long latency = System.nanoTime() - beginNanos;
            inFlight.decrementAndGet();
            if (backend != null) {
                backend.requestEnded();
            }
            if (route != null) {
                route.samples.add(System.currentTimeMillis(), latency, status);
            }
        }
    }
}
