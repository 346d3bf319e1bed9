package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Closing the gateway lets the request in flight finish, then destroys the plugins. */
class GracefulShutdownTest {

    private static final AtomicInteger CLOSED = new AtomicInteger();

    /** A plugin that only counts its closes. */
    record Empty() {
    }

    static final class CountingFactory implements PluginFactory<Empty> {
        @Override
        public String name() {
            return "counting";
        }

        @Override
        public int priority() {
            return 1;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\"}";
        }

        @Override
        public Class<Empty> configType() {
            return Empty.class;
        }

        @Override
        public Plugin create(Empty config, PluginContext context) {
            return new Plugin() {
                @Override
                public void close() {
                    CLOSED.incrementAndGet();
                }
            };
        }
    }

    @Test
    void aRequestInFlightFinishesAndPluginsAreDestroyed() throws Exception {
        try (TestUpstream upstream = new TestUpstream("slow")) {
            Gateway gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0),
                    Engine.builder().plugin(new CountingFactory()));
            gateway.engine().put(ResourceKind.ROUTES, "1", """
                    {"uri": "/slow", "plugins": {"counting": {}}, "upstream": {"nodes": {"%s": 1}}}"""
                    .formatted(upstream.address()));
            CompletableFuture<RawHttp.Response> inFlight = CompletableFuture.supplyAsync(() -> {
                try (RawHttp http = new RawHttp(gateway.port())) {
                    return http.get("/slow?ms=700", "a").read();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (upstream.hits.get() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, upstream.hits.get(), "the request never reached the upstream");

            gateway.close();

            // had close() cut the connection, the read would fail instead of answering
            RawHttp.Response response = inFlight.get(10, TimeUnit.SECONDS);
            assertEquals(200, response.status());
            assertEquals("slow done", response.text());
            assertEquals(1, CLOSED.get());
        }
    }
}
