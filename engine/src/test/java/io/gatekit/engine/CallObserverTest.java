package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.api.CallObserver;
import io.gatekit.api.EngineListener;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.JdkTransport;
import io.gatekit.engine.host.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call's observer hears what a tracer needs, through {@link Engine#serve} to a real upstream on
 * loopback: each plugin phase in order (an async one ending when its stage does), each upstream
 * attempt with its context headers in place of the client's, each request a plugin sends on the
 * call's behalf, and the call's end.
 */
class CallObserverTest {

    private HttpServer upstream;
    /** What the upstream received, by path: its traceparent header. */
    private final Map<String, String> received = new ConcurrentHashMap<>();
    private final List<Engine> engines = new ArrayList<>();

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
            received.put(exchange.getRequestURI().getPath(), traceparent == null ? "none" : traceparent);
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().startsWith("/missing") ? 404 : 200, 2);
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
    }

    private Engine engine(EngineListener listener, PluginFactory<?>... plugins) {
        Engine.Builder builder = Engine.builder().listener(listener);
        for (PluginFactory<?> plugin : plugins) {
            builder.plugin(plugin);
        }
        Engine engine = builder.build();
        engines.add(engine);
        return engine;
    }

    private String upstreamNodes(int... ports) {
        StringBuilder nodes = new StringBuilder();
        for (int port : ports) {
            nodes.append(nodes.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(port).append("\": 1");
        }
        return "{\"type\": \"roundrobin\", \"nodes\": {" + nodes + "}}";
    }

    private static int status(Engine engine, HttpRequest request) throws Exception {
        Response response = engine.serve(request, Body.empty(), JdkTransport.create()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        // reading the body to its end is what ends the call (log, callCompleted)
        response.body().writeTo(new ByteArrayOutputStream(), Runnable::run).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return response.status();
    }

    @Test
    void anObserverHearsEachPluginPhaseInOrderAndTheCallsEnd() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = engine(recorder.listener(), new TestPlugins.Tracer("first", 200),
                new TestPlugins.Tracer("second", 100));
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"first\": {}, \"second\": {}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/a").build()));
        recorder.completed.get(5, TimeUnit.SECONDS);

        assertEquals(List.of("call /a",
                "start first@rewrite", "return first@rewrite", "end first@rewrite",
                "start second@rewrite", "return second@rewrite", "end second@rewrite",
                "start first@access", "return first@access", "end first@access",
                "start second@access", "return second@access", "end second@access",
                "attempt 1", "attempt 1 ended 200",
                "start first@header_filter", "return first@header_filter", "end first@header_filter",
                "start second@header_filter", "return second@header_filter", "end second@header_filter",
                "start first@log", "return first@log", "end first@log",
                "start second@log", "return second@log", "end second@log",
                "completed 200"), recorder.events);
    }

    @Test
    void anAsyncPhaseEndsWhenItsStageCompletesNotWhenItsMethodReturns() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = engine(recorder.listener(), new TestPlugins.Tracer("slow", 200));
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"slow\": {\"async\": true}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/a").build()));

        int returned = recorder.events.indexOf("return slow@access");
        int ended = recorder.events.indexOf("end slow@access");
        assertTrue(returned >= 0 && ended > returned, recorder.events.toString());
        assertEquals(recorder.threads.get("return slow@access"), recorder.threads.get("start slow@access"),
                "the callback of pluginStarted runs on the thread that called the plugin");
    }

    @Test
    void eachAttemptIsObservedAndItsContextHeadersReplaceTheClients() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = engine(recorder.listener());
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens there once closed: the first attempt fails
        }
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/retry\", \"upstream\": {\"type\": \"roundrobin\","
                + " \"nodes\": [{\"host\": \"127.0.0.1\", \"port\": " + closed + ", \"weight\": 1, \"priority\": 1},"
                + " {\"host\": \"127.0.0.1\", \"port\": " + upstream.getAddress().getPort()
                + ", \"weight\": 1, \"priority\": 0}]}}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/retry")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build()));

        assertTrue(recorder.events.contains("attempt 1"), recorder.events.toString());
        assertTrue(recorder.events.stream().anyMatch(e -> e.startsWith("attempt 1 failed")), recorder.events.toString());
        assertTrue(recorder.events.contains("attempt 2 ended 200"), recorder.events.toString());
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-0000000000000002-01", received.get("/retry"),
                "the upstream got the observer's traceparent for attempt 2, not the client's");
    }

    @Test
    void aPluginCanObserveTheCallsOfItsRoutesFromTheirStart() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> ended = new CopyOnWriteArrayList<>();
        PluginFactory<Void> observing = PluginFactory.of("observing", 1, "{\"type\": \"object\"}", Void.class,
                (config, context) -> new Plugin() {
                    @Override
                    public CallObserver observe(Exchange exchange) {
                        seen.add("observe " + exchange.routeId());
                        CompletableFuture<Void> end = new CompletableFuture<>();
                        ended.add(end);
                        return new CallObserver() {
                            @Override
                            public void callCompleted(Exchange exchange) {
                                end.complete(null);
                            }

                            @Override
                            public @Nullable Runnable pluginStarted(Exchange exchange, String plugin, Phase phase) {
                                seen.add(plugin + "@" + phase.apisixName());
                                return null;
                            }
                        };
                    }
                });
        Engine engine = engine(EngineListener.NONE, observing, new TestPlugins.Tracer("other", 10));
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"observing\": {}, \"other\": {}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");
        engine.put(ResourceKind.ROUTES, "2", "{\"uri\": \"/b\", \"plugins\": {\"other\": {}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/a").build()));
        ended.get(0).get(5, TimeUnit.SECONDS);
        assertEquals(List.of("observe 1", "other@rewrite", "other@access", "other@header_filter", "other@log"), seen);

        seen.clear();
        assertEquals(200, status(engine, HttpRequest.builder().uri("/b").build()));
        assertEquals(List.of(), seen, "a route without the plugin is not observed");
        assertEquals(1, ended.size());
    }

    @Test
    void aRequestAPluginSendsOnTheCallsBehalfCarriesTheContextAndIsObserved() throws Exception {
        Recorder recorder = new Recorder();
        String callout = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/callout";
        PluginFactory<Void> calling = PluginFactory.of("calling", 1, "{\"type\": \"object\"}", Void.class,
                (config, context) -> new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        OutboundRequest request = OutboundRequest.builder(callout)
                                .header("traceparent", "00-11111111111111111111111111111111-1111111111111111-01")
                                .build();
                        return Outcome.async(context.httpClient().send(request, exchange)
                                .thenApply(response -> Outcome.proceed()));
                    }
                });
        Engine engine = engine(recorder.listener(), calling);
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"calling\": {}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/a").build()));

        assertEquals("00-0af7651916cd43dd8448eb211c80319c-00000000000000aa-01", received.get("/callout"));
        assertTrue(recorder.events.contains("request calling GET /callout"), recorder.events.toString());
        assertTrue(recorder.events.contains("request calling ended 200"), recorder.events.toString());
    }

    @Test
    void aRequestSentWithTheContextKeepsEverySettingOfThePlugins() throws Exception {
        Recorder recorder = new Recorder();
        List<OutboundRequest> sent = new CopyOnWriteArrayList<>();
        PluginFactory<Void> calling = PluginFactory.of("calling", 1, "{\"type\": \"object\"}", Void.class,
                (config, context) -> new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        OutboundRequest request = OutboundRequest.builder("https://audit.example/log").method("PUT")
                                .header("x-kept", "1").body(new byte[] {7}).connectTimeout(Duration.ofSeconds(2))
                                .sendTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(4))
                                .verifyTls(false).discardResponseBody(true).build();
                        return Outcome.async(context.httpClient().send(request, exchange)
                                .thenApply(response -> Outcome.proceed()));
                    }
                });
        Engine.Builder builder = Engine.builder().listener(recorder.listener()).plugin(calling)
                .httpClient(request -> {
                    sent.add(request);
                    return CompletableFuture.completedFuture(new OutboundResponse(204, HttpHeaders.of(), new byte[0]));
                });
        Engine engine = builder.build();
        engines.add(engine);
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"calling\": {}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/a").build()));

        OutboundRequest request = sent.get(0);
        assertTrue(request.headers().contains("traceparent"), "the context was added");
        assertEquals("PUT https://audit.example/log 1 [7] PT2S PT3S PT4S false true", request.method() + " "
                + request.uri() + " " + request.headers().get("x-kept") + " " + Arrays.toString(request.body()) + " "
                + request.connectTimeout() + " " + request.sendTimeout() + " " + request.readTimeout() + " "
                + request.verifyTls() + " " + request.discardResponseBody());
    }

    @Test
    void contextHeadersReachAMessageAPluginBuildsItself() throws Exception {
        Recorder recorder = new Recorder();
        List<String> headers = new CopyOnWriteArrayList<>();
        PluginFactory<Void> building = PluginFactory.of("building", 1, "{\"type\": \"object\"}", Void.class,
                (config, context) -> new Plugin() {
                    @Override
                    public Outcome rewrite(Exchange exchange) {
                        exchange.forEachContextHeader((name, value) -> headers.add(name + ": " + value));
                        return Outcome.proceed();
                    }
                });
        Engine engine = engine(recorder.listener(), building);
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"building\": {}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/a").build()));

        assertEquals(List.of("traceparent: 00-0af7651916cd43dd8448eb211c80319c-00000000000000cc-01"), headers);
    }

    @Test
    void aCallNoObserverFollowsSendsTheClientsHeadersUnchanged() throws Exception {
        List<String> plugins = new CopyOnWriteArrayList<>();
        EngineListener quiet = new EngineListener() {
            @Override
            public boolean timesPlugins() {
                return false;
            }

            @Override
            public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
                plugins.add(plugin);
            }
        };
        Engine engine = engine(quiet, new TestPlugins.Tracer("first", 1));
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/plain\", \"plugins\": {\"first\": {}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/plain")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build()));

        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", received.get("/plain"));
        assertEquals(List.of(), plugins, "a listener that does not time plugins hears no pluginPhase");
    }

    @Test
    void listenersCombinedHearEveryEventAndTimePluginsWhenOneDoes() {
        List<String> heard = new CopyOnWriteArrayList<>();
        EngineListener timing = new EngineListener() {
            @Override
            public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
                heard.add("timing " + plugin);
            }
        };
        EngineListener quiet = new EngineListener() {
            @Override
            public boolean timesPlugins() {
                return false;
            }

            @Override
            public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
                heard.add("quiet " + plugin);
            }

            @Override
            public void configApplied(long version) {
                heard.add("quiet applied");
            }
        };
        EngineListener both = EngineListener.of(timing, quiet);
        assertTrue(both.timesPlugins());
        assertFalse(EngineListener.of(quiet).timesPlugins());
        assertEquals(EngineListener.NONE, EngineListener.of());

        both.pluginPhase("p", Phase.ACCESS, "1", 5);
        both.configApplied(3);
        assertEquals(List.of("timing p", "quiet applied"), heard);
    }

    @Test
    void theEngineRecordsItsOwnSeriesIntoTheMetricsItIsGiven() throws Exception {
        MetricsRegistry metrics = new MetricsRegistry();
        Engine engine = Engine.builder().metrics(metrics).engineMetrics(true)
                .plugin(new TestPlugins.Tracer("first", 1)).build();
        engines.add(engine);
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"first\": {}},"
                + " \"upstream\": " + upstreamNodes(upstream.getAddress().getPort()) + "}");

        assertEquals(200, status(engine, HttpRequest.builder().uri("/a").build()));

        assertEquals(metrics, engine.metrics());
        assertEquals(1, metrics.timer("gatekit_plugin_duration_seconds", "plugin", "first", "phase", "access").count());
        assertEquals(1, metrics.counter("gatekit_config_changes_total", "result", "applied").count());
    }

    /**
     * Records what its observer hears as lines of text. Its context headers are made up so that a
     * test can tell which hook made the traceparent a message got: attempt {@code n} gets span id
     * {@code n}, a plugin's request {@code aa}, a message a plugin builds {@code cc}.
     */
    private static final class Recorder {
        final List<String> events = new CopyOnWriteArrayList<>();
        final Map<String, Thread> threads = new ConcurrentHashMap<>();
        /** Completes when the call ended: log runs once the client has the body, maybe on another thread. */
        final CompletableFuture<Void> completed = new CompletableFuture<>();

        private void add(String event) {
            events.add(event);
            threads.put(event, Thread.currentThread());
        }

        EngineListener listener() {
            return new EngineListener() {
                @Override
                public boolean timesPlugins() {
                    return false;
                }

                @Override
                public CallObserver callStarted(Exchange exchange) {
                    add("call " + exchange.request().path());
                    return observer();
                }
            };
        }

        private static String traceparent(String spanId) {
            return "00-0af7651916cd43dd8448eb211c80319c-" + "0".repeat(16 - spanId.length()) + spanId + "-01";
        }

        CallObserver observer() {
            return new CallObserver() {
                @Override
                public Runnable pluginStarted(Exchange exchange, String plugin, Phase phase) {
                    String name = plugin + "@" + phase.apisixName();
                    add("start " + name);
                    return () -> add("return " + name);
                }

                @Override
                public void pluginEnded(Exchange exchange, String plugin, Phase phase, @Nullable Throwable error) {
                    add("end " + plugin + "@" + phase.apisixName() + (error == null ? "" : " " + error));
                }

                @Override
                public Outbound upstreamStarted(Exchange exchange, int attempt, BiConsumer<String, String> headers) {
                    assertNotNull(exchange.upstream().nodeHost());
                    add("attempt " + attempt);
                    headers.accept("traceparent", traceparent(Integer.toString(attempt)));
                    return (status, error) -> add("attempt " + attempt + (error == null ? " ended " + status
                            : " failed " + error.getClass().getSimpleName()));
                }

                @Override
                public Outbound requestStarted(Exchange exchange, String plugin, OutboundRequest request,
                        BiConsumer<String, String> headers) {
                    add("request " + plugin + " " + request.method() + " " + request.uri().getPath());
                    headers.accept("traceparent", traceparent("aa"));
                    return (status, error) -> add("request " + plugin + " ended " + status);
                }

                @Override
                public void contextHeaders(Exchange exchange, BiConsumer<String, String> headers) {
                    headers.accept("traceparent", traceparent("cc"));
                }

                @Override
                public void callCompleted(Exchange exchange) {
                    add("completed " + exchange.response().status());
                    completed.complete(null);
                }
            };
        }
    }
}
