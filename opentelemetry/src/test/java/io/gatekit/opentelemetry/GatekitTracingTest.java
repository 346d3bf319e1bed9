package io.gatekit.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.JdkTransport;
import io.gatekit.engine.host.Response;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Traces of calls through {@link Engine#serve} to a real upstream on loopback, exported by the
 * OpenTelemetry SDK: the spans, their names and parents, their attributes, and the
 * {@code traceparent} each message carries.
 */
class GatekitTracingTest {

    private static final String CLIENT_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    /** Released once per server span that ended: a call's trace is whole then. */
    private final Semaphore serversEnded = new Semaphore(0);
    private OpenTelemetrySdk sdk;
    private HttpServer upstream;
    /** The traceparent each path received (or "none"). */
    private final Map<String, String> received = new ConcurrentHashMap<>();
    private final List<Engine> engines = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported))
                        .addSpanProcessor(new SpanProcessor() {
                            @Override
                            public void onStart(io.opentelemetry.context.Context parent, ReadWriteSpan span) {
                            }

                            @Override
                            public boolean isStartRequired() {
                                return false;
                            }

                            @Override
                            public void onEnd(ReadableSpan span) {
                                if (span.getKind() == SpanKind.SERVER) {
                                    serversEnded.release();
                                }
                            }

                            @Override
                            public boolean isEndRequired() {
                                return true;
                            }
                        })
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
            received.put(exchange.getRequestURI().getPath(), traceparent == null ? "none" : traceparent);
            int status = exchange.getRequestURI().getPath().startsWith("/fail") ? 503 : 200;
            exchange.sendResponseHeaders(status, 2);
            exchange.getResponseBody().write("ok".getBytes());
            exchange.close();
        });
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.start();
    }

    @AfterEach
    void stop() {
        engines.forEach(Engine::close);
        upstream.stop(0);
        sdk.close();
    }

    private Engine engine(Engine.Builder builder) {
        Engine engine = builder.build();
        engines.add(engine);
        return engine;
    }

    private String route(String uri, String plugins) {
        return "{\"uri\": \"" + uri + "\", \"plugins\": {" + plugins + "}, \"upstream\": {\"type\": \"roundrobin\","
                + " \"nodes\": {\"127.0.0.1:" + upstream.getAddress().getPort() + "\": 1}}}";
    }

    private static int serve(Engine engine, HttpRequest request) throws Exception {
        Response response = engine.serve(request, Body.empty(), JdkTransport.create()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        response.body().writeTo(new ByteArrayOutputStream(), Runnable::run).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return response.status();
    }

    /** Waits for the server spans (one ends when its call completes, maybe on another thread). */
    private List<SpanData> spansOnceServerEnded(int servers) throws InterruptedException {
        if (!serversEnded.tryAcquire(servers, 10, TimeUnit.SECONDS)) {
            throw new AssertionError("no server span ended: " + exported.getFinishedSpanItems());
        }
        return exported.getFinishedSpanItems();
    }

    private static SpanData one(List<SpanData> spans, Predicate<SpanData> which, String what) {
        List<SpanData> found = spans.stream().filter(which).toList();
        assertEquals(1, found.size(), what + " in " + spans);
        return found.get(0);
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return one(spans, s -> s.getName().equals(name), name);
    }

    private static PluginFactory<Void> plugin(String name, int priority, Plugin plugin) {
        return PluginFactory.of(name, priority, "{\"type\": \"object\"}", Void.class, (config, context) -> plugin);
    }

    @Test
    void aTracedCallHasAServerSpanAPluginSpanPerPhaseAndAClientSpanPerAttempt() throws Exception {
        GatekitTracing tracing = GatekitTracing.builder(sdk).build();
        Engine engine = engine(Engine.builder().listener(tracing.listener())
                .plugin(plugin("stamp", 10, new Plugin() {
                    @Override
                    public Outcome rewrite(Exchange exchange) {
                        exchange.request().headers().set("x-stamp", "1");
                        return Outcome.proceed();
                    }

                    @Override
                    public void log(Exchange exchange) {
                    }
                })));
        engine.put(ResourceKind.ROUTES, "r1", route("/hello", "\"stamp\": {}"));

        assertEquals(200, serve(engine, HttpRequest.builder().uri("/hello?a=1").header("traceparent", CLIENT_TRACEPARENT)
                .header("user-agent", "curl/8").build()));
        List<SpanData> spans = spansOnceServerEnded(1);

        SpanData server = one(spans, s -> s.getKind() == SpanKind.SERVER, "the server span");
        assertEquals("GET", server.getName());
        assertEquals("0af7651916cd43dd8448eb211c80319c", server.getTraceId(), "the client's trace goes on");
        assertEquals("b7ad6b7169203331", server.getParentSpanId());
        assertEquals("r1", server.getAttributes().get(AttributeKey.stringKey("apisix.route_id")));
        assertEquals(200L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("/hello", server.getAttributes().get(AttributeKey.stringKey("url.path")));
        assertEquals("curl/8", server.getAttributes().get(AttributeKey.stringKey("user_agent.original")));
        assertEquals("upstream", server.getAttributes().get(AttributeKey.stringKey("apisix.response_source")));

        SpanData rewrite = named(spans, "apisix.phase.rewrite.plugins.stamp");
        SpanData log = named(spans, "apisix.phase.log.plugins.stamp");
        assertEquals(server.getSpanId(), rewrite.getParentSpanId());
        assertEquals(server.getSpanId(), log.getParentSpanId());
        assertEquals(SpanKind.INTERNAL, rewrite.getKind());

        SpanData attempt = one(spans, s -> s.getKind() == SpanKind.CLIENT, "the upstream span");
        assertEquals(server.getSpanId(), attempt.getParentSpanId());
        assertEquals("GET", attempt.getName());
        assertEquals(200L, attempt.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("http://127.0.0.1:" + upstream.getAddress().getPort() + "/hello?a=1",
                attempt.getAttributes().get(AttributeKey.stringKey("url.full")));
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-" + attempt.getSpanId() + "-01", received.get("/hello"),
                "the upstream's parent is its attempt's span, in place of the client's traceparent");
    }

    @Test
    void aFailedAttemptIsAnErrorSpanAndTheRetryCountsAsAResend() throws Exception {
        GatekitTracing tracing = GatekitTracing.builder(sdk).build();
        Engine engine = engine(Engine.builder().listener(tracing.listener()));
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        engine.put(ResourceKind.ROUTES, "r1", "{\"uri\": \"/retry\", \"upstream\": {\"type\": \"roundrobin\","
                + " \"nodes\": [{\"host\": \"127.0.0.1\", \"port\": " + closed + ", \"weight\": 1, \"priority\": 1},"
                + " {\"host\": \"127.0.0.1\", \"port\": " + upstream.getAddress().getPort()
                + ", \"weight\": 1, \"priority\": 0}]}}");

        assertEquals(200, serve(engine, HttpRequest.builder().uri("/retry").build()));
        List<SpanData> spans = spansOnceServerEnded(1);

        SpanData failed = one(spans, s -> s.getKind() == SpanKind.CLIENT && s.getStatus().getStatusCode() == StatusCode.ERROR,
                "the failed attempt");
        assertEquals((long) closed, failed.getAttributes().get(AttributeKey.longKey("server.port")));
        SpanData retry = one(spans, s -> s.getKind() == SpanKind.CLIENT && s.getStatus().getStatusCode() != StatusCode.ERROR,
                "the retry");
        assertEquals(1L, retry.getAttributes().get(AttributeKey.longKey("http.request.resend_count")));
    }

    @Test
    void aRequestAPluginSendsIsAChildOfItsPluginSpanAndCarriesItsOwnTraceparent() throws Exception {
        GatekitTracing tracing = GatekitTracing.builder(sdk).build();
        String callout = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/callout";
        PluginFactory<Void> calling = PluginFactory.of("calling", 5, "{\"type\": \"object\"}", Void.class,
                (config, context) -> new Plugin() {
                    @Override
                    public Outcome beforeProxy(Exchange exchange) {
                        return Outcome.async(context.httpClient().send(OutboundRequest.builder(callout).build(), exchange)
                                .thenApply(response -> Outcome.proceed()));
                    }
                });
        Engine engine = engine(Engine.builder().listener(tracing.listener()).plugin(calling));
        engine.put(ResourceKind.ROUTES, "r1", route("/a", "\"calling\": {}"));

        assertEquals(200, serve(engine, HttpRequest.builder().uri("/a").build()));
        List<SpanData> spans = spansOnceServerEnded(1);

        SpanData pluginSpan = named(spans, "apisix.phase.before_proxy.plugins.calling");
        SpanData copy = one(spans, s -> "calling".equals(s.getAttributes().get(AttributeKey.stringKey("gatekit.peer"))),
                "the plugin's request");
        assertEquals(pluginSpan.getSpanId(), copy.getParentSpanId());
        assertEquals(SpanKind.CLIENT, copy.getKind());
        // sampled: the flags' low bit (the SDK also sets W3C's random-trace-id bit on traces it starts)
        assertTrue(received.get("/callout").matches("00-" + copy.getTraceId() + "-" + copy.getSpanId() + "-0[13]"),
                received.get("/callout"));
        assertTrue(pluginSpan.getEndEpochNanos() >= copy.getEndEpochNanos(),
                "the async phase ends when its stage completes, after the request it waited for");
    }

    @Test
    void aPluginsSpanIsTheCurrentContextWhileItsMethodRunsAndPluginsAfterAnAsyncOneStillHaveTheCallAsParent()
            throws Exception {
        GatekitTracing tracing = GatekitTracing.builder(sdk).build();
        Map<String, String> currentSpans = new ConcurrentHashMap<>();
        Plugin slow = new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                currentSpans.put("slow", Span.current().getSpanContext().getSpanId());
                return Outcome.async(CompletableFuture.supplyAsync(Outcome::proceed,
                        CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)));
            }
        };
        Plugin after = new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                currentSpans.put("after", GatekitTracing.context(exchange).toString());
                return Outcome.proceed();
            }
        };
        Engine engine = engine(Engine.builder().listener(tracing.listener()).plugin(plugin("slow", 20, slow))
                .plugin(plugin("after", 10, after)));
        engine.put(ResourceKind.ROUTES, "r1", route("/a", "\"slow\": {}, \"after\": {}"));

        assertEquals(200, serve(engine, HttpRequest.builder().uri("/a").build()));
        List<SpanData> spans = spansOnceServerEnded(1);

        SpanData server = one(spans, s -> s.getKind() == SpanKind.SERVER, "server");
        SpanData slowSpan = named(spans, "apisix.phase.access.plugins.slow");
        SpanData afterSpan = named(spans, "apisix.phase.access.plugins.after");
        assertEquals(slowSpan.getSpanId(), currentSpans.get("slow"));
        assertEquals(server.getSpanId(), afterSpan.getParentSpanId());
        assertTrue(afterSpan.getStartEpochNanos() >= slowSpan.getEndEpochNanos());
        assertFalse(Span.current().getSpanContext().isValid(), "no context leaks onto the test's thread");
    }

    @Test
    void aPluginThatFailsHasAnErrorSpan() throws Exception {
        GatekitTracing tracing = GatekitTracing.builder(sdk).build();
        Engine engine = engine(Engine.builder().listener(tracing.listener()).plugin(plugin("broken", 1, new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                throw new IllegalStateException("boom");
            }
        })));
        engine.put(ResourceKind.ROUTES, "r1", route("/a", "\"broken\": {}"));

        assertEquals(500, serve(engine, HttpRequest.builder().uri("/a").build()));
        List<SpanData> spans = spansOnceServerEnded(1);

        SpanData broken = named(spans, "apisix.phase.access.plugins.broken");
        assertEquals(StatusCode.ERROR, broken.getStatus().getStatusCode());
        assertEquals("exception", broken.getEvents().get(0).getName());
        SpanData server = one(spans, s -> s.getKind() == SpanKind.SERVER, "server");
        assertEquals(StatusCode.ERROR, server.getStatus().getStatusCode());
        assertEquals("apisix error: 500", server.getStatus().getDescription());
    }

    @Test
    void anUnsampledCallMakesNoSpanAndPassesTheDecisionOn() throws Exception {
        GatekitTracing tracing = GatekitTracing.builder(sdk).sampler(TraceSampler.alwaysOff()).build();
        String callout = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/unsampled-callout";
        PluginFactory<Void> calling = PluginFactory.of("calling", 5, "{\"type\": \"object\"}", Void.class,
                (config, context) -> new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        return Outcome.async(context.httpClient().send(OutboundRequest.builder(callout).build(), exchange)
                                .thenApply(response -> Outcome.proceed()));
                    }
                });
        Engine engine = engine(Engine.builder().listener(tracing.listener()).plugin(calling));
        engine.put(ResourceKind.ROUTES, "r1", route("/unsampled", "\"calling\": {}"));
        engine.put(ResourceKind.ROUTES, "r2", route("/unsampled-child", ""));

        assertEquals(200, serve(engine, HttpRequest.builder().uri("/unsampled").build()));
        assertEquals(200, serve(engine, HttpRequest.builder().uri("/unsampled-child")
                .header("traceparent", CLIENT_TRACEPARENT).build()));

        assertEquals(List.of(), exported.getFinishedSpanItems());
        String upstreamGot = received.get("/unsampled");
        assertTrue(upstreamGot.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"), upstreamGot);
        assertEquals(upstreamGot.substring(0, 35), received.get("/unsampled-callout").substring(0, 35),
                "one trace id for every message of the call");
        assertEquals(CLIENT_TRACEPARENT, received.get("/unsampled-child"), "the caller's context goes on untouched");
    }

    @Test
    void theOpentelemetryPluginTracesTheRoutesThatConfigureItWithTheirSampler() throws Exception {
        GatekitTracing tracing = GatekitTracing.builder(sdk).build();
        Engine engine = engine(Engine.builder().plugin(tracing.plugin()));
        engine.put(ResourceKind.ROUTES, "on", route("/on", "\"opentelemetry\": {\"sampler\": {\"name\": \"always_on\"},"
                + " \"additional_attributes\": [\"arg_tenant\"], \"additional_header_prefix_attributes\": [\"x-team-*\"]}"));
        engine.put(ResourceKind.ROUTES, "off", route("/off", "\"opentelemetry\": {}"));
        engine.put(ResourceKind.ROUTES, "none", route("/none", ""));

        assertEquals(200, serve(engine, HttpRequest.builder().uri("/none").build()));
        assertEquals(200, serve(engine, HttpRequest.builder().uri("/off").build()));
        assertEquals(200, serve(engine, HttpRequest.builder().uri("/on?tenant=acme").header("X-Team-Name", "core").build()));
        List<SpanData> spans = spansOnceServerEnded(1);

        SpanData server = one(spans, s -> s.getKind() == SpanKind.SERVER, "only /on is traced");
        assertEquals("on", server.getAttributes().get(AttributeKey.stringKey("apisix.route_id")));
        assertEquals("acme", server.getAttributes().get(AttributeKey.stringKey("arg_tenant")));
        assertEquals("core", server.getAttributes().get(AttributeKey.stringKey("x-team-name")));
        assertEquals("none", received.get("/none"), "a route without the plugin sends no traceparent");
        assertTrue(received.get("/off").endsWith("-00"), "always_off, APISIX's default, passes on an unsampled flag");
        assertNotEquals("none", received.get("/on"));
    }

    @Test
    void theOpentelemetryPluginRefusesARatioOutsideZeroToOne() {
        GatekitTracing tracing = GatekitTracing.builder(sdk).build();
        Engine engine = engine(Engine.builder().plugin(tracing.plugin()));

        ConfigException refused = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "r",
                route("/r", "\"opentelemetry\": {\"sampler\": {\"name\": \"trace_id_ratio\","
                        + " \"options\": {\"fraction\": 2}}}")));
        assertTrue(refused.getMessage().contains("fraction"), refused.getMessage());
    }

    @Test
    void parentBasedFollowsTheCallersFlagAndAsksItsRootOtherwise() {
        TraceSampler sampler = TraceSampler.parentBased(TraceSampler.alwaysOff());
        var sampled = io.opentelemetry.api.trace.SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331", io.opentelemetry.api.trace.TraceFlags.getSampled(),
                io.opentelemetry.api.trace.TraceState.getDefault());
        assertTrue(sampler.sample(sampled));
        assertFalse(sampler.sample(io.opentelemetry.api.trace.SpanContext.getInvalid()));
        assertTrue(TraceSampler.traceIdRatio(1).sample(io.opentelemetry.api.trace.SpanContext.getInvalid()));
        assertFalse(TraceSampler.traceIdRatio(0).sample(sampled));
        assertThrows(IllegalArgumentException.class, () -> TraceSampler.traceIdRatio(1.5));
    }
}
