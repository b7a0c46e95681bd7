package dev.gantry.server.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.plugin.api.artifact.ArtifactStoreUnavailableException;
import dev.gantry.plugin.api.artifact.PutResult;
import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.plugin.api.notify.Notifier;
import dev.gantry.plugin.api.scm.WebhookRejectedException;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TestExtensionInvoker {
    private final Histogram calls = Histogram.builder().name("calls").labelNames("plugin", "extension_point", "method", "outcome")
            .register(new PrometheusRegistry());
    private final Notification notification = new Notification("test", "title", "text", "http://x/", Map.of(), Instant.EPOCH);

    @Test
    void aFaultInAnExtensionNamesThePluginAndHidesTheMessage() {
        Notifier faulty = n -> {
            throw new IllegalStateException("jdbc:postgresql://secret-host/db refused");
        };
        Notifier proxy = ExtensionInvoker.wrap("acme", Notifier.class, faulty, calls);
        assertThatThrownBy(() -> proxy.send(notification))
                .isInstanceOf(ExtensionCallException.class)
                .hasMessageStartingWith("plugin 'acme' failed in ")
                .hasMessageEndingWith(".send: IllegalStateException (details in the server log)")
                .hasMessageNotContaining("secret-host");
    }

    @Test
    void anExtensionFailedExceptionKeepsItsMessageForPeople() {
        Notifier refusing = n -> {
            throw new ExtensionFailedException("the chat server answered 404");
        };
        assertThatThrownBy(() -> ExtensionInvoker.wrap("acme", Notifier.class, refusing, calls).send(notification))
                .isInstanceOf(ExtensionCallException.class)
                .hasMessageEndingWith(".send: the chat server answered 404");
    }

    @Test
    void contractExceptionsAndDeclaredCheckedExceptionsPassThrough() {
        Notifier rejecting = n -> {
            throw new WebhookRejectedException("bad signature", true);
        };
        assertThatThrownBy(() -> ExtensionInvoker.wrap("acme", Notifier.class, rejecting, calls).send(notification))
                .isInstanceOf(WebhookRejectedException.class);

        ArtifactStore unreachable = new ArtifactStore() {
            public String kind() {
                return "test";
            }

            public boolean exists(String digest) {
                return true;
            }

            public PutResult put(String digest, InputStream bytes, long sizeBytes) {
                return new PutResult(digest, 0, false);
            }

            public InputStream open(String digest) throws ArtifactStoreUnavailableException {
                throw new ArtifactStoreUnavailableException("bucket unreachable", null);
            }

            public void delete(String digest) {
            }
        };
        assertThatThrownBy(() -> ExtensionInvoker.wrap("store", ArtifactStore.class, unreachable, calls).open("sha256:00"))
                .isInstanceOf(ArtifactStoreUnavailableException.class);
    }

    @Test
    void callsRunWithThePluginsClassLoaderAndRestoreTheCallers() {
        AtomicReference<ClassLoader> seen = new AtomicReference<>();
        Notifier recording = n -> seen.set(Thread.currentThread().getContextClassLoader());
        ClassLoader callers = new ClassLoader(null) { };
        Thread.currentThread().setContextClassLoader(callers);
        try {
            ExtensionInvoker.wrap("acme", Notifier.class, recording, calls).send(notification);
            assertThat(seen.get()).isSameAs(recording.getClass().getClassLoader());
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(callers);
        } finally {
            Thread.currentThread().setContextClassLoader(TestExtensionInvoker.class.getClassLoader());
        }
        assertThat(calls.collect().getDataPoints()).anySatisfy(point -> {
            assertThat(point.getLabels().get("outcome")).isEqualTo("ok");
            assertThat(point.getCount()).isEqualTo(1);
        });
    }
}
