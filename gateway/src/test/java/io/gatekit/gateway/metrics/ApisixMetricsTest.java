package io.gatekit.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.RawHttp;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * APISIX's metric names ({@code gatekit.apisix_metrics}) scraped from a real gateway's Prometheus
 * endpoint after real requests, with APISIX's labels and buckets; off by default; and the JVM and
 * connection gauges every gateway exports.
 */
class ApisixMetricsTest {

    private static final byte[] BODY = "twelve bytes".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private HttpServer upstream;
    private Gateway gateway;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, BODY.length);
            exchange.getResponseBody().write(BODY);
            exchange.close();
        });
        upstream.start();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.stop(0);
    }

    private void start(boolean apisixNames) {
        GatewayConfig config = ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0);
        gateway = Gateway.start(config.withOperations(config.operations().withApisixMetrics(apisixNames)),
                Engine.builder());
        gateway.engine().put(ResourceKind.UPSTREAMS, "1", """
                {"nodes": {"127.0.0.1:%d": 1},
                 "checks": {"active": {"type": "tcp", "healthy": {"interval": 1}, "unhealthy": {"interval": 1}}}}"""
                .formatted(upstream.getAddress().getPort()));
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/hello", "upstream_id": "1"}""");
    }

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway.metricsPort() + "/apisix/prometheus/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void apisixsSeriesCountRequestsLatencyBandwidthAndUpstreamHealthUnderApisixsNames() throws Exception {
        start(true);
        String text;
        try (RawHttp client = new RawHttp(gateway.port())) {
            for (int i = 0; i < 3; i++) {
                client.send("POST /hello HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello");
                assertEquals(200, client.read().status());
            }
            client.get("/nowhere", "a.test");
            assertEquals(404, client.read().status());

            text = scrape(); // while the client's connection is open
        }

        String labels = "route=\"1\",service=\"\",consumer=\"\",node=\"127.0.0.1\"";
        assertTrue(text.contains("apisix_http_status{code=\"200\",route=\"1\",matched_uri=\"\",matched_host=\"\","
                + "service=\"\",consumer=\"\",node=\"127.0.0.1\"} 3\n"), text);
        assertTrue(text.contains("apisix_http_status{code=\"404\",route=\"\",matched_uri=\"\",matched_host=\"\","
                + "service=\"\",consumer=\"\",node=\"\"} 1\n"), text);
        for (String type : new String[] {"request", "upstream", "apisix"}) {
            assertTrue(text.contains("apisix_http_latency_count{type=\"" + type + "\"," + labels + "} 3\n"), text);
            assertTrue(text.contains("apisix_http_latency_bucket{type=\"" + type + "\"," + labels
                    + ",le=\"+Inf\"} 3\n"), text);
        }
        assertTrue(text.contains("# TYPE apisix_http_latency histogram\n"), text);
        assertTrue(text.contains(",le=\"00001.0\"} ") && text.contains(",le=\"60000.0\"} 3\n"), text);
        assertTrue(text.contains("apisix_bandwidth{type=\"egress\"," + labels + "} " + 3 * BODY.length + "\n"), text);
        assertTrue(text.contains("apisix_bandwidth{type=\"ingress\"," + labels + "} 15\n"), text);
        assertTrue(text.contains("apisix_upstream_status{name=\"/apisix/upstreams/1\",ip=\"127.0.0.1\",port=\""
                + upstream.getAddress().getPort() + "\"} 1\n"), text);
        assertTrue(text.matches("(?s).*\napisix_node_info\\{hostname=\"[^\"]+\",version=\"[^\"]+\"} 1\n.*"), text);
        assertTrue(text.contains("apisix_http_requests_total 4\n"), text);
        assertTrue(text.contains("apisix_nginx_http_current_connections{state=\"active\"} 1\n"), text);
        assertTrue(text.contains("apisix_nginx_http_current_connections{state=\"accepted\"} 1\n"), text);
        // the config is not in etcd: APISIX's exporter has no etcd to report on either
        assertFalse(text.contains("apisix_etcd_reachable"), text);
    }

    @Test
    void apisixsNamesAreOffByDefaultWhileTheJvmAndConnectionGaugesAreAlwaysThere() throws Exception {
        start(ConfigLoader.defaults(w -> { }).operations().apisixMetrics());
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.get("/hello", "a.test");
            assertEquals(200, client.read().status());

            String text = scrape();

            assertFalse(text.contains("apisix_"), text);
            assertTrue(text.contains("gatekit_http_connections 1\n"), text);
            assertTrue(text.contains("gatekit_http_connections_accepted 1\n"), text);
            assertTrue(text.matches("(?s).*\ngatekit_jvm_memory_used_bytes\\{area=\"heap\"} [1-9]\\d*\n.*"), text);
            assertTrue(text.matches("(?s).*\ngatekit_jvm_threads_live [1-9]\\d*\n.*"), text);
        }
    }

    @Test
    void theSwitchIsReadFromConfigYamlAndABadValueNamesIt() throws Exception {
        Path on = Files.writeString(dir.resolve("on.yaml"), "gatekit:\n  apisix_metrics: true\n");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "gatekit:\n  apisix_metrics: sometimes\n");

        assertTrue(ConfigLoader.load(on, w -> { }).operations().apisixMetrics());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(bad, w -> { }));
        assertTrue(e.getMessage().startsWith("gatekit.apisix_metrics: "), e.getMessage());
    }
}
