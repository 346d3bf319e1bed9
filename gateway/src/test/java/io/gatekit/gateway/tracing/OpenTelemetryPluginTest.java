package io.gatekit.gateway.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * APISIX's {@code opentelemetry} plugin in the gateway, exporting to a real OTLP/HTTP receiver on
 * loopback that decodes what arrives with OpenTelemetry's protobuf classes: the spans of a request
 * (server, each plugin phase, the upstream attempt, the mirror copy), their parents and
 * attributes, and the {@code traceparent} the upstream and the mirror got.
 */
class OpenTelemetryPluginTest {

    @TempDir
    Path dir;

    private HttpServer collector;
    private final BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
    private final List<ResourceSpans> resources = new ArrayList<>();
    private HttpServer upstream;
    private HttpServer mirror;
    /** The traceparent each server got, by "upstream" or "mirror". */
    private final Map<String, String> traceparents = new ConcurrentHashMap<>();
    private Gateway gateway;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
                synchronized (resources) {
                    resources.addAll(request.getResourceSpansList());
                }
                for (ResourceSpans resource : request.getResourceSpansList()) {
                    for (ScopeSpans scope : resource.getScopeSpansList()) {
                        spans.addAll(scope.getSpansList());
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("content-type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        collector.start();
        upstream = recording("upstream");
        mirror = recording("mirror");
    }

    private HttpServer recording(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
            traceparents.put(name, traceparent == null ? "none" : traceparent);
            String runner = exchange.getRequestHeaders().getFirst("x-runner-traceparent");
            if (runner != null) {
                traceparents.put("runner", runner);
            }
            byte[] body = ("hello from " + name).getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        collector.stop(0);
        upstream.stop(0);
        mirror.stop(0);
    }

    private GatewayConfig config(String pluginAttr) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "plugin_attr:\n  opentelemetry:\n" + pluginAttr);
        return ConfigLoader.load(file, warning -> { }).withPorts(0, 0, 0);
    }

    private int get(String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.port() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }

    /** Waits for the spans that {@code wanted} picks, as they arrive at the collector. */
    private List<Span> await(int count, Predicate<Span> wanted) throws InterruptedException {
        List<Span> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen.stream().filter(wanted).count() < count) {
            Span span = spans.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (span == null) {
                throw new AssertionError("the collector got " + seen.size() + " spans: " + names(seen));
            }
            seen.add(span);
        }
        return seen;
    }

    private static List<String> names(List<Span> spans) {
        return spans.stream().map(Span::getName).toList();
    }

    private static Span one(List<Span> spans, Predicate<Span> which, String what) {
        List<Span> found = spans.stream().filter(which).toList();
        assertEquals(1, found.size(), what + " among " + names(spans));
        return found.get(0);
    }

    private static Span named(List<Span> spans, String name) {
        return one(spans, s -> s.getName().equals(name), name);
    }

    private static String attr(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                return kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue())
                        : kv.getValue().getStringValue();
            }
        }
        return null;
    }

    private static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }

    @Test
    void aTracedRequestsSpansReachTheCollectorWithTheRightParents() throws Exception {
        gateway = Gateway.start(config("""
                    collector:
                      address: 127.0.0.1:%d
                    batch_span_processor:
                      batch_timeout: 0.05
                      inactive_timeout: 0.05
                    resource:
                      service.name: edge
                """.formatted(collector.getAddress().getPort())));
        gateway.engine().put(ResourceKind.ROUTES, "traced", """
                {"uri": "/traced", "plugins": {
                   "opentelemetry": {"sampler": {"name": "always_on"}},
                   "request-id": {},
                   "proxy-mirror": {"host": "http://127.0.0.1:%d"}},
                 "upstream": {"nodes": {"127.0.0.1:%d": 1}}}""".formatted(mirror.getAddress().getPort(),
                upstream.getAddress().getPort()));

        assertEquals(200, get("/traced"));
        List<Span> all = await(2, s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER
                || "proxy-mirror".equals(attr(s, "gatekit.peer")));

        Span server = one(all, s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER, "the server span");
        assertEquals("GET", server.getName());
        assertTrue(server.getParentSpanId().isEmpty(), "a request without traceparent starts the trace");
        assertEquals("traced", attr(server, "apisix.route_id"));
        assertEquals("200", attr(server, "http.response.status_code"));
        assertEquals("/traced", attr(server, "url.path"));

        for (String phase : List.of("apisix.phase.rewrite.plugins.request-id",
                "apisix.phase.header_filter.plugins.request-id",
                "apisix.phase.before_proxy.plugins.proxy-mirror")) {
            Span plugin = named(all, phase);
            assertEquals(server.getSpanId(), plugin.getParentSpanId(), phase + "'s parent");
            assertEquals(server.getTraceId(), plugin.getTraceId());
        }

        Span attempt = one(all, s -> "upstream".equals(attr(s, "gatekit.peer")), "the upstream attempt");
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, attempt.getKind());
        assertEquals(server.getSpanId(), attempt.getParentSpanId());
        assertEquals(Integer.toString(upstream.getAddress().getPort()), attr(attempt, "server.port"));
        assertEquals("200", attr(attempt, "http.response.status_code"));

        Span copy = one(all, s -> "proxy-mirror".equals(attr(s, "gatekit.peer")), "the mirror copy");
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, copy.getKind());
        assertEquals(named(all, "apisix.phase.before_proxy.plugins.proxy-mirror").getSpanId(), copy.getParentSpanId(),
                "the copy is a child of the plugin that sent it");

        String trace = hex(server.getTraceId());
        assertTrue(traceparents.get("upstream").matches("00-" + trace + "-" + hex(attempt.getSpanId()) + "-0[13]"),
                traceparents.get("upstream"));
        assertTrue(traceparents.get("mirror").matches("00-" + trace + "-" + hex(copy.getSpanId()) + "-0[13]"),
                traceparents.get("mirror"));

        synchronized (resources) {
            List<KeyValue> resource = resources.get(0).getResource().getAttributesList();
            assertTrue(resource.stream().anyMatch(kv -> kv.getKey().equals("service.name")
                    && kv.getValue().getStringValue().equals("edge")), resource.toString());
            assertTrue(resource.stream().anyMatch(kv -> kv.getKey().equals("hostname")), resource.toString());
        }
    }

    @Test
    void theRunnerGetsTheTraceparentOfItsPluginsSpanInBothCalls() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, io.gatekit.gateway.faults.JavaRunner.extPluginYaml() + """
                plugin_attr:
                  opentelemetry:
                    collector:
                      address: 127.0.0.1:%d
                    batch_span_processor:
                      batch_timeout: 0.05
                """.formatted(collector.getAddress().getPort()));
        gateway = Gateway.start(ConfigLoader.load(file, warning -> { }).withPorts(0, 0, 0));
        gateway.engine().put(ResourceKind.ROUTES, "runner", """
                {"uri": "/runner", "plugins": {
                   "opentelemetry": {"sampler": {"name": "always_on"}},
                   "ext-plugin-pre-req": {"conf": [{"name": "gk-trace", "value": ""}]},
                   "ext-plugin-post-resp": {"conf": [{"name": "gk-trace", "value": ""}]}},
                 "upstream": {"nodes": {"127.0.0.1:%d": 1}}}""".formatted(upstream.getAddress().getPort()));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway.port() + "/runner")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        List<Span> all = await(1, s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER);

        Span preReq = named(all, "apisix.phase.rewrite.plugins.ext-plugin-pre-req");
        Span postResp = named(all, "apisix.phase.header_filter.plugins.ext-plugin-post-resp");
        String trace = hex(preReq.getTraceId());
        assertTrue(traceparents.get("runner").matches("00-" + trace + "-" + hex(preReq.getSpanId()) + "-0[13]"),
                "the runner's request call: " + traceparents.get("runner"));
        String respCall = response.headers().firstValue("x-runner-resp-traceparent").orElse("missing");
        assertTrue(respCall.matches("00-" + trace + "-" + hex(postResp.getSpanId()) + "-0[13]"),
                "the runner's response call: " + respCall);
    }

    @Test
    void aClientsTraceparentMakesTheServerSpanItsChild() throws Exception {
        gateway = Gateway.start(config("""
                    collector:
                      address: 127.0.0.1:%d
                    batch_span_processor:
                      batch_timeout: 0.05
                """.formatted(collector.getAddress().getPort())));
        gateway.engine().put(ResourceKind.ROUTES, "child", """
                {"uri": "/child", "plugins": {"opentelemetry": {"sampler": {"name": "parent_base"}}},
                 "upstream": {"nodes": {"127.0.0.1:%d": 1}}}""".formatted(upstream.getAddress().getPort()));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + gateway.port() + "/child"))
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());

        Span server = one(await(1, s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER),
                s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER, "server");
        assertEquals("0af7651916cd43dd8448eb211c80319c", hex(server.getTraceId()));
        assertEquals("b7ad6b7169203331", hex(server.getParentSpanId()));
    }

    @Test
    void aDeadCollectorNeverAffectsARequest() throws Exception {
        int dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = socket.getLocalPort();
        }
        gateway = Gateway.start(config("""
                    collector:
                      address: 127.0.0.1:%d
                      request_timeout: 1
                    batch_span_processor:
                      batch_timeout: 0.01
                      max_export_batch_size: 1
                """.formatted(dead)));
        gateway.engine().put(ResourceKind.ROUTES, "traced", """
                {"uri": "/traced", "plugins": {"opentelemetry": {"sampler": {"name": "always_on"}}},
                 "upstream": {"nodes": {"127.0.0.1:%d": 1}}}""".formatted(upstream.getAddress().getPort()));

        for (int i = 0; i < 50; i++) {
            assertEquals(200, get("/traced"), "request " + i);
        }
    }

    @Test
    void aBadCollectorAddressStopsTheStartNamingTheKey() throws Exception {
        GatewayConfig config = config("""
                    collector:
                      address: "not an address"
                """);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Gateway.start(config));
        assertTrue(refused.getMessage().startsWith("plugin_attr.opentelemetry.collector.address: not an address"
                + " (expected: host:port"), refused.getMessage());
    }

    @Test
    void aTraceIdFromXRequestIdIsRefusedForItCannotWork() throws Exception {
        GatewayConfig config = config("""
                    trace_id_source: x-request-id
                """);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Gateway.start(config));
        assertTrue(refused.getMessage().startsWith("plugin_attr.opentelemetry.trace_id_source: x-request-id"),
                refused.getMessage());
    }
}
