package com.example.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The host end to end over loopback: a real upstream (another JDK server), the host on its own
 * port, and a real client. header-stamp comes from its own jar, found by ServiceLoader; the other
 * plugins are registered in code by the test.
 */
class EmbeddingHostTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Held by the {@code gate} plugin until the test opens it. */
    private final Map<String, CompletableFuture<Outcome>> gates = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> gateEntered = new CompletableFuture<>();
    private final List<String> upstreamSaw = new CopyOnWriteArrayList<>();

    private HttpServer upstream;
    private Engine engine;
    private EmbeddingHost host;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String stamp = exchange.getRequestHeaders().getFirst("x-stamp");
            upstreamSaw.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " x-stamp=" + stamp);
            byte[] answer = ("hello from upstream: " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + (body.length > 0 ? " body=" + new String(body, StandardCharsets.UTF_8) : ""))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-upstream", "yes");
            exchange.getResponseHeaders().add("content-type", "text/plain");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        upstream.start();

        engine = Engine.builder()
                .discoverPlugins()
                .plugin(new Gate())
                .plugin(new Deny())
                .plugin(new Shout())
                .build();
        // one worker: an async plugin holding it would stall every other request
        host = EmbeddingHost.start(engine, new InetSocketAddress(LOOPBACK, 0), 1);
    }

    @AfterEach
    void stop() {
        gates.values().forEach(g -> g.complete(Outcome.proceed()));
        host.close();
        engine.close();
        upstream.stop(0);
    }

    private void route(String id, String uri, String plugins) {
        engine.put(ResourceKind.ROUTES, id, "{\"uri\": \"" + uri + "\", \"upstream\": {\"nodes\": {\"127.0.0.1:"
                + upstream.getAddress().getPort() + "\": 1}}, \"plugins\": " + plugins + "}");
    }

    /** A request to the host; the deadline turns a host that blocks into a failure, not a hang. */
    private HttpRequest.Builder to(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.address().getPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(5));
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = to(pathAndQuery);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), BodyHandlers.ofString());
    }

    @Test
    void headerStampFoundByServiceLoaderStampsTheUpstreamRequestAndTheClientResponse() throws Exception {
        route("1", "/hello", """
                {"header-stamp": {"name": "x-stamp", "value": "gatekit"}}""");

        HttpResponse<String> response = get("/hello?who=me");

        assertEquals("com.example.stamp.HeaderStampFactory", engine.plugin("header-stamp").orElseThrow().factoryClass());
        assertEquals(200, response.statusCode());
        assertEquals("hello from upstream: GET /hello?who=me", response.body());
        assertEquals("gatekit", response.headers().firstValue("x-stamp").orElse(null));
        assertEquals("yes", response.headers().firstValue("x-upstream").orElse(null));
        assertEquals(List.of("GET /hello?who=me x-stamp=gatekit"), upstreamSaw);
    }

    @Test
    void aRequestBodyReachesTheUpstream() throws Exception {
        route("1", "/echo", "{}");

        HttpResponse<String> response = client.send(to("/echo")
                .POST(BodyPublishers.ofString("ping")).build(), BodyHandlers.ofString());

        assertEquals("hello from upstream: POST /echo body=ping", response.body());
    }

    @Test
    void aRequestNoRouteMatchesGetsTheEngines404AndNeverReachesTheUpstream() throws Exception {
        route("1", "/hello", "{}");

        HttpResponse<String> response = get("/elsewhere");

        assertEquals(404, response.statusCode());
        assertEquals("{\"error_msg\":\"404 Route Not Found\"}\n", response.body());
        assertEquals(List.of(), upstreamSaw);
    }

    @Test
    void aPluginThatAnswersInAccessShortCircuitsAndResponsePhasesStillRun() throws Exception {
        route("1", "/private", """
                {"deny": {}, "header-stamp": {"name": "x-stamp", "value": "gatekit"}}""");

        HttpResponse<String> denied = get("/private");
        HttpResponse<String> allowed = get("/private", "x-key", "open");

        assertEquals(403, denied.statusCode());
        assertEquals("no key", denied.body());
        assertEquals("gatekit", denied.headers().firstValue("x-stamp").orElse(null));
        assertEquals(200, allowed.statusCode());
        assertEquals(List.of("GET /private x-stamp=gatekit"), upstreamSaw);
    }

    @Test
    void anAsyncPluginWaitingHoldsNoServerThread() throws Exception {
        route("slow", "/slow", """
                {"gate": {}}""");
        route("fast", "/fast", "{}");

        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(to("/slow").build(), BodyHandlers.ofString());
        gateEntered.get(5, TimeUnit.SECONDS);
        HttpResponse<String> fast = get("/fast");

        assertEquals(200, fast.statusCode(), "the only worker served /fast while /slow waited in its plugin");
        assertFalse(slow.isDone());
        gates.get("/slow").complete(Outcome.proceed());
        assertEquals("hello from upstream: GET /slow", slow.get(5, TimeUnit.SECONDS).body());
    }

    @Test
    void aBodyFilterRewritesTheStreamedUpstreamBody() throws Exception {
        route("1", "/loud", """
                {"shout": {}}""");

        HttpResponse<String> response = get("/loud");

        assertEquals(200, response.statusCode());
        assertEquals("HELLO FROM UPSTREAM: GET /LOUD", response.body());
        assertTrue(response.headers().firstValue("content-length").isEmpty(),
                "a filtered body is sent chunked, not with the upstream's length");
    }

    @Test
    void anUnreachableUpstreamIsA502() throws Exception {
        int closed = closedPort();
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/down\", \"upstream\": {\"nodes\": {\"127.0.0.1:" + closed
                + "\": 1}}}");

        HttpResponse<String> response = get("/down");

        assertEquals(502, response.statusCode());
        assertTrue(response.body().contains("<h1>502 Bad Gateway</h1>"), response.body()); // APISIX's page
    }

    @Test
    void aRefusedConnectionIsRetriedOnTheNextNode() throws Exception {
        int closed = closedPort();
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/retry\", \"upstream\": {\"nodes\": {\"127.0.0.1:" + closed
                + "\": 1, \"127.0.0.1:" + upstream.getAddress().getPort() + "\": 1}, \"retries\": 1}}");

        HttpResponse<String> response = get("/retry");

        assertEquals(200, response.statusCode());
        assertEquals(List.of("GET /retry x-stamp=null"), upstreamSaw);
    }

    /** A port nothing listens on: bound, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }

    // ---- plugins registered in code, as a host may do ----

    record NoConfig() {
    }

    private abstract static class TestFactory implements PluginFactory<NoConfig> {
        @Override
        public String configSchema() {
            return "{\"type\": \"object\", \"additionalProperties\": false}";
        }

        @Override
        public Class<NoConfig> configType() {
            return NoConfig.class;
        }
    }

    /** {@code gate}: access waits until the test opens the gate for the path. */
    private final class Gate extends TestFactory {
        @Override
        public String name() {
            return "gate";
        }

        @Override
        public int priority() {
            return 100;
        }

        @Override
        public Plugin create(NoConfig config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    CompletableFuture<Outcome> gate = gates.computeIfAbsent(exchange.request().path(),
                            p -> new CompletableFuture<>());
                    gateEntered.complete(null);
                    return Outcome.async(gate);
                }
            };
        }
    }

    /** {@code deny}: 403 unless the request has x-key. */
    private static final class Deny extends TestFactory {
        @Override
        public String name() {
            return "deny";
        }

        @Override
        public int priority() {
            return 200;
        }

        @Override
        public Plugin create(NoConfig config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    return exchange.request().headers().contains("x-key") ? Outcome.proceed()
                            : Outcome.respond(403, "no key");
                }
            };
        }
    }

    /** {@code shout}: upper-cases the response body, chunk by chunk. */
    private static final class Shout extends TestFactory {
        @Override
        public String name() {
            return "shout";
        }

        @Override
        public int priority() {
            return 300;
        }

        @Override
        public Plugin create(NoConfig config, PluginContext context) {
            return new Plugin() {
                @Override
                public ByteBuffer bodyFilter(Exchange exchange, ByteBuffer chunk, boolean last) {
                    String text = StandardCharsets.UTF_8.decode(chunk).toString().toUpperCase(Locale.ROOT);
                    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                }
            };
        }
    }
}
