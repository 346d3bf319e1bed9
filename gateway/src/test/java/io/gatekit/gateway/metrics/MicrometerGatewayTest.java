package io.gatekit.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.micrometer.GatekitMicrometer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A gateway whose engine is bound to a Micrometer registry records the gateway's series there too. */
class MicrometerGatewayTest {

    private HttpServer upstream;
    private Gateway gateway;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes());
            exchange.close();
        });
        upstream.start();
        gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0),
                GatekitMicrometer.bind(Engine.builder().discoverPlugins(), registry));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.stop(0);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theGatewaysTheEnginesAndThePluginsSeriesLandInTheMeterRegistry() throws Exception {
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/hello", "plugins": {"request-id": {}},
                 "upstream": {"nodes": {"127.0.0.1:%d": 1}}}""".formatted(upstream.getAddress().getPort()));

        assertEquals(200, get(gateway.port(), "/hello").statusCode());
        // the gateway counts a request once its last byte is flushed, which may be after the
        // client read it: wait for that, not for a time
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while ((registry.find("gatekit.http.requests").counter() == null
                || registry.get("gatekit.http.requests.in.flight").gauge().value() != 0)
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }

        assertEquals(1.0, registry.get("gatekit.http.requests").tag("route", "1").tag("code", "200").counter().count());
        assertEquals(1, registry.get("gatekit.upstream.latency").tag("route", "1").timer().count());
        assertEquals(1, registry.get("gatekit.plugin.duration").tag("plugin", "request-id").tag("phase", "rewrite")
                .timer().count());
        assertEquals(0.0, registry.get("gatekit.http.requests.in.flight").gauge().value());
        HttpResponse<String> scrape = get(gateway.metricsPort(), "/apisix/prometheus/metrics");
        assertEquals(404, scrape.statusCode());
        assertTrue(scrape.body().contains("exports its metrics itself"), scrape.body());
    }
}
