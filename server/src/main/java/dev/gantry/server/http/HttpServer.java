package dev.gantry.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Injector;
import dev.gantry.server.auth.Authentication;
import dev.gantry.server.config.ServerConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.ext.ContextResolver;
import java.net.URI;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.glassfish.hk2.api.Factory;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/** Jetty with Jersey on top; resources are built by Guice and guarded by {@link Authentication}. */
public final class HttpServer {
    private final ServerConfig config;
    private final Injector injector;
    private final Set<JaxrsResource> resources;
    private final Server server;
    private final ServerConnector connector;

    @Inject
    public HttpServer(ServerConfig config, Injector injector, Set<JaxrsResource> resources) {
        this.config = config;
        this.injector = injector;
        this.resources = resources;
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        this.server = new Server(threads);
        this.connector = connector(server, config);
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopAtShutdown(false);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder api = new ServletHolder("api", new ServletContainer(resourceConfig()));
        // streamed responses (a build log followed over server-sent events) are written from their own threads
        api.setAsyncSupported(true);
        context.addServlet(api, "/*");
        context.setErrorHandler(new JsonErrorHandler());
        server.setHandler(context);
    }

    private static ServerConnector connector(Server server, ServerConfig config) {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector;
        if (config.tls().isPresent()) {
            ServerConfig.Tls tls = config.tls().get();
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keystorePath().toAbsolutePath().toString());
            ssl.setKeyStorePassword(tls.keystorePassword());
            ssl.setKeyStoreType(tls.keystoreType());
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // clients reach the server by IP address or any name; the certificate is the operator's choice
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            // h2c as well: clients that ask to upgrade a plain connection to HTTP/2 (the JDK's HttpClient does by
            // default) get a clean upgrade instead of a connection Jetty would drop on a request with a body
            connector = new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        }
        connector.setHost(config.host());
        connector.setPort(config.port());
        return connector;
    }

    private ResourceConfig resourceConfig() {
        ResourceConfig jersey = new ResourceConfig();
        jersey.property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true);
        jersey.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        jersey.property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        jersey.register(JacksonFeature.withoutExceptionMappers());
        jersey.register(new ObjectMapperResolver());
        ExceptionMappers.all().forEach(jersey::register);
        Readiness readiness = injector.getInstance(Readiness.class);
        jersey.register(new RequestFilters.NotReadyFilter(readiness));
        jersey.register(new RequestFilters.MetricsFilter(injector.getInstance(ServerMetrics.class)));
        jersey.register(new RequestFilters.DrainUnreadBodyFilter());
        jersey.register(injector.getInstance(Authentication.class));
        for (JaxrsResource resource : resources) {
            Authentication.checkDeclared(resource.type());
            jersey.register(resource.type());
        }
        jersey.register(new AbstractBinder() {
            @Override
            protected void configure() {
                for (JaxrsResource resource : resources) {
                    bindGuice(resource.type());
                }
            }

            private <T> void bindGuice(Class<T> type) {
                bindFactory(new GuiceFactory<>(injector, type)).to(type).in(Singleton.class);
            }
        });
        return jersey;
    }

    public void start() throws Exception {
        server.start();
    }

    public void stop() throws Exception {
        server.stop();
    }

    /** The port actually bound (differs from the configured one when that is 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The address to open in a browser. */
    public URI url() {
        if (config.publicUrl().isPresent()) {
            return URI.create(config.publicUrl().get());
        }
        String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "localhost" : config.host();
        return URI.create((config.tls().isPresent() ? "https" : "http") + "://" + host + ":" + port() + "/");
    }

    private static final class GuiceFactory<T> implements Factory<T> {
        private final Injector injector;
        private final Class<T> type;

        GuiceFactory(Injector injector, Class<T> type) {
            this.injector = injector;
            this.type = type;
        }

        @Override
        public T provide() {
            return injector.getInstance(type);
        }

        @Override
        public void dispose(T instance) {
        }
    }

    private static final class ObjectMapperResolver implements ContextResolver<ObjectMapper> {
        @Override
        public ObjectMapper getContext(Class<?> type) {
            return Json.mapper();
        }
    }
}
