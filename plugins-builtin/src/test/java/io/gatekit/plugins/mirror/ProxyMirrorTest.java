package io.gatekit.plugins.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Call;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * proxy-mirror behind the real engine, driven like a host, sending copies with the engine's
 * default client (java.net.http) to mirrors on loopback.
 */
class ProxyMirrorTest {

    private final List<AutoCloseable> closing = new ArrayList<>();
    private Engine engine;
    private Host host;

    @AfterEach
    void closeAll() throws Exception {
        if (engine != null) {
            engine.close();
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    // ---- fixture ----

    private void start(Engine.Builder builder) {
        engine = builder.plugin(new ProxyMirrorFactory())
                .plugin(new TestPlugins.Rewrite())
                .plugin(new TestPlugins.Deny())
                .build();
        host = new Host(engine);
    }

    private void start() {
        start(Engine.builder());
    }

    private void start(HttpClient client) {
        start(Engine.builder().httpClient(client));
    }

    private MirrorServer mirror() throws IOException {
        MirrorServer server = MirrorServer.start();
        closing.add(server);
        return server;
    }

    private MirrorServer slowMirror() throws IOException {
        MirrorServer server = MirrorServer.startSlow();
        closing.add(server);
        return server;
    }

    /** Route {@code id} on {@code uri} with {@code plugins} (the inside of the plugins object). */
    private void route(String id, String uri, String plugins) {
        engine.put(ResourceKind.ROUTES, id, """
                {"uri": "%s", "upstream": {"nodes": {"127.0.0.1:1980": 1}, "type": "roundrobin"},
                 "plugins": {%s}}""".formatted(uri, plugins));
    }

    private void mirrorRoute(String conf) {
        route("1", "/*", "\"proxy-mirror\": " + conf);
    }

    private static HttpRequest get(String uri) {
        return HttpRequest.builder().uri(uri).header("Host", "example.com").build();
    }

    private static HttpRequest post(String uri, String body) {
        return HttpRequest.builder().method("POST").uri(uri).header("Host", "example.com")
                .header("Content-Type", "text/plain").header("Content-Length", Integer.toString(body.length()))
                .body(body.getBytes(StandardCharsets.UTF_8)).build();
    }

    private long count(String target, String result) {
        return count("1", target, result);
    }

    private long count(String route, String target, String result) {
        return engine.metrics().counter(MirrorStats.REQUESTS, "route", route, "target", target, "result", result)
                .count();
    }

    private static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort(); // closed on return: connections are refused
        }
    }

    // ---- what a copy is ----

    @Test
    void mirrorsMethodUriHeadersAndBodyAsTheUpstreamGetsThemOverHttp11() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\"}");

        Host.Served served = host.serve(HttpRequest.builder().method("POST").uri("/hello?a=1&b=x%20y")
                .header("Host", "example.com").header("api-key", "hello").header("Content-Type", "text/plain")
                .header("Content-Length", "11").body("hello world".getBytes(StandardCharsets.UTF_8)).build());

        MirrorServer.Received copy = mirror.take();
        assertEquals(200, served.response().status());
        assertEquals(served.method(), copy.method());
        assertEquals(served.uri(), copy.uri());
        assertEquals("/hello?a=1&b=x%20y", copy.uri());
        assertEquals("HTTP/1.1", copy.protocol());
        assertEquals("hello", copy.header("api-key"));
        assertEquals("text/plain", copy.header("content-type"));
        assertArrayEquals(served.body(), copy.body());
    }

    @Test
    void sendsExactlyTheUpstreamHeadersWithTheHostTheUpstreamReceives() throws Exception {
        RawHttpClient raw = new RawHttpClient();
        closing.add(raw);
        start(raw);
        MirrorServer mirror = mirror();
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/*", "upstream": {"nodes": {"127.0.0.1:1980": 1}, "pass_host": "rewrite",
                                           "upstream_host": "upstream.internal"},
                 "plugins": {"proxy-mirror": {"host": "%s"}}}""".formatted(mirror.url()));

        host.serve(HttpRequest.builder().uri("/uri").header("host", "127.0.0.2").header("api-key", "hello")
                .header("api-key2", "world").header("name", "jake").header("Connection", "keep-alive, x-hop")
                .header("x-hop", "1").build());

        MirrorServer.Received copy = mirror.take();
        assertEquals("upstream.internal", copy.header("host"));
        assertEquals(Set.of("host", "api-key", "api-key2", "name"), lowerNames(copy));
    }

    @Test
    void replacesThePathAndKeepsTheQuery() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\", \"path\": \"/a\"}");

        host.serve(get("/hello"));
        assertEquals("/a", mirror.take().uri());
        host.serve(get("/hello?a=1"));
        assertEquals("/a?a=1", mirror.take().uri());
    }

    @Test
    void prefixesThePathAndKeepsTheQuery() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\", \"path\": \"/a\", \"path_concat_mode\": \"prefix\"}");

        host.serve(get("/hello"));
        assertEquals("/a/hello", mirror.take().uri());
        host.serve(get("/hello?a=1"));
        assertEquals("/a/hello?a=1", mirror.take().uri());
    }

    @ParameterizedTest(name = "rewriter priority {0}")
    @ValueSource(ints = {1008, 2000})
    void mirrorsThePathQueryAndHeadersAsRewrittenWhateverThePriorities(int rewritePriority) throws Exception {
        start();
        MirrorServer mirror = mirror();
        route("1", "/nope", """
                "proxy-mirror": {"host": "%s"},
                "test-rewrite": {"path": "/hello", "query": "yes", "headers": {"X-Rewritten": "1"},
                                 "_meta": {"priority": %d}}""".formatted(mirror.url(), rewritePriority));

        Host.Served served = host.serve(get("/nope?a=b&b=c&c=d"));

        MirrorServer.Received copy = mirror.take();
        assertEquals("/hello?a=b&b=c&c=d&rewritten=yes", copy.uri());
        assertEquals(served.uri(), copy.uri());
        assertEquals("1", copy.header("x-rewritten"));
    }

    @Test
    void encodesCharactersAUriCannotCarry() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\"}");

        host.serve(get("/a b/ü?q=x y|z"));

        assertEquals("/a%20b/%C3%BC?q=x%20y%7Cz", mirror.take().uri());
    }

    // ---- when copies are made ----

    @Test
    void neverMirrorsARequestRejectedBeforeTheUpstream() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\"}");
        route("2", "/denied", "\"proxy-mirror\": {\"host\": \"" + mirror.url() + "\"}, \"test-deny\": {}");

        Host.Served served = host.serve(get("/denied"));
        host.serve(get("/allowed"));

        assertEquals(403, served.response().status());
        assertFalse(served.reachedUpstream());
        assertEquals(0, count("2", mirror.url(), "sampled"));
        assertEquals("/allowed", mirror.take().uri()); // the only copy
    }

    @ParameterizedTest(name = "sample_ratio {0}")
    @ValueSource(doubles = {1, 0.99999})
    void mirrorsARetriedRequestOnce(double ratio) throws Exception {
        start();
        MirrorServer mirror = mirror();
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/*", "upstream": {"nodes": {"127.0.0.1:1980": 1, "127.0.0.1:1981": 1, "127.0.0.1:1982": 1}},
                 "plugins": {"proxy-mirror": {"host": "%s", "sample_ratio": %s}}}""".formatted(mirror.url(), ratio));

        host.serve(get("/hello"), 3);

        assertEquals(1, count(mirror.url(), "sampled"));
        Await.until(() -> count(mirror.url(), "sent") == 1, () -> "sent " + count(mirror.url(), "sent"));
        assertEquals(1, mirror.count());
    }

    @Test
    void samplesAboutTheConfiguredShareOfRequests() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\", \"sample_ratio\": 0.5}");

        for (int i = 0; i < 2000; i++) {
            host.serve(get("/hello?sample_ratio=0.5"));
        }

        long sampled = count(mirror.url(), "sampled");
        assertTrue(sampled >= 900 && sampled <= 1100, "sampled " + sampled + " of 2000 at 0.5");
        Await.until(() -> mirror.count() == sampled, () -> mirror.count() + " of " + sampled + " arrived");
        Await.until(() -> count(mirror.url(), "sent") == sampled, () -> "sent " + count(mirror.url(), "sent"));
    }

    @Test
    void samplesEachTargetOnItsOwn() throws Exception {
        start();
        MirrorServer all = mirror();
        MirrorServer half = mirror();
        mirrorRoute("""
                {"host": "%s", "targets": [{"host": "%s", "path": "/half", "sample_ratio": 0.5}]}"""
                .formatted(all.url(), half.url()));

        for (int i = 0; i < 1000; i++) {
            host.serve(get("/hello"));
        }

        long halfSampled = count(half.url(), "sampled");
        assertEquals(1000, count(all.url(), "sampled"));
        assertTrue(halfSampled >= 430 && halfSampled <= 570, "sampled " + halfSampled + " of 1000 at 0.5");
        Await.until(() -> all.count() == 1000 && half.count() == halfSampled,
                () -> all.count() + " and " + half.count() + " arrived");
        assertEquals("/half", half.take().uri());
    }

    @Test
    void aGlobalRuleAndARouteMirrorTheSameRequestEachOnItsOwn() throws Exception {
        start();
        MirrorServer global = mirror();
        MirrorServer own = mirror();
        engine.put(ResourceKind.GLOBAL_RULES, "g", "{\"plugins\": {\"proxy-mirror\": {\"host\": \""
                + global.url() + "\", \"path\": \"/global\", \"path_concat_mode\": \"prefix\"}}}");
        mirrorRoute("{\"host\": \"" + own.url() + "\"}");

        host.serve(get("/hello"));

        assertEquals("/global/hello", global.take().uri());
        assertEquals("/hello", own.take().uri());
    }

    // ---- the client never waits ----

    @Test
    void neverHoldsTheRequestForAMirrorThatDoesNotAnswer() throws Exception {
        start();
        MirrorServer slow = slowMirror();
        mirrorRoute("{\"host\": \"" + slow.url() + "\"}");

        for (int i = 0; i < 5; i++) {
            assertEquals(200, host.serve(get("/hello")).response().status());
        }

        for (int i = 0; i < 5; i++) {
            slow.take();
        }
        assertEquals(0, slow.answered(), "every call completed while the mirror still held its copy");
        assertEquals(0, count(slow.url(), "sent"));
        slow.release();
        Await.until(() -> count(slow.url(), "sent") == 5, () -> "sent " + count(slow.url(), "sent"));
    }

    @Test
    void abandonsACopyTheClientNeverAnswersAfterItsDeadlineAndFreesItsSlot() {
        List<CompletableFuture<OutboundResponse>> handedOut = new CopyOnWriteArrayList<>();
        start(request -> {
            CompletableFuture<OutboundResponse> never = new CompletableFuture<>();
            handedOut.add(never);
            return never;
        });
        // deadline = connect + send + read + 1 s of grace, about 1 s here
        mirrorRoute("{\"host\": \"http://127.0.0.1:9\", \"max_in_flight\": 1,"
                + " \"timeout\": {\"connect\": 0.001, \"send\": 0.001, \"read\": 0.001}}");
        String target = "http://127.0.0.1:9";

        host.serve(get("/hello"));
        assertEquals(1, handedOut.size());
        // later copies find the slot taken until the stuck one is abandoned; each one lets the
        // plugin look for copies past their deadline
        Await.until(() -> {
            host.serve(get("/hello"));
            return count(target, "timed_out") == 1;
        }, () -> "timed_out " + count(target, "timed_out") + ", dropped " + count(target, "dropped"));

        assertTrue(handedOut.get(0).isCancelled(), "the client's stage was not cancelled");
        // the request whose copy found the stuck one past its deadline got the slot it freed
        assertEquals(2, handedOut.size(), "the abandoned copy's slot was not given back");
    }

    @Test
    void aDeadMirrorCausesNoClientErrorAndIsCountedAsFailed() throws Exception {
        start();
        String dead = deadUrl();
        mirrorRoute("{\"host\": \"" + dead + "\"}");

        Host.Served served = host.serve(get("/hello"));

        assertEquals(200, served.response().status());
        Await.until(() -> count(dead, "failed") == 1, () -> "failed " + count(dead, "failed"));
        assertEquals(0, count(dead, "sent"));
    }

    @Test
    void dropsAndCountsCopiesBeyondTheInFlightBound() throws Exception {
        start();
        MirrorServer slow = slowMirror();
        mirrorRoute("{\"host\": \"" + slow.url() + "\", \"max_in_flight\": 2}");

        for (int i = 0; i < 5; i++) {
            assertEquals(200, host.serve(get("/hello")).response().status());
        }

        assertEquals(5, count(slow.url(), "sampled"));
        assertEquals(3, count(slow.url(), "dropped"));
        slow.take();
        slow.take();
        slow.release();
        Await.until(() -> count(slow.url(), "sent") == 2, () -> "sent " + count(slow.url(), "sent"));
        host.serve(get("/hello")); // slots were given back
        Await.until(() -> count(slow.url(), "sent") == 3, () -> "sent " + count(slow.url(), "sent"));
        assertEquals(3, slow.count());
    }

    @Test
    void timesOutAMirrorThatDoesNotAnswerWithinTheRouteTimeout() throws Exception {
        start();
        MirrorServer slow = slowMirror();
        mirrorRoute("{\"host\": \"" + slow.url() + "\", \"timeout\": {\"read\": 0.2}}");

        host.serve(get("/hello"));

        Await.until(() -> count(slow.url(), "timed_out") == 1, () -> "timed_out " + count(slow.url(), "timed_out"));
        assertEquals(0, count(slow.url(), "failed"));
    }

    @Test
    void takesTimeoutsFromPluginAttrWhenTheRouteHasNone() throws Exception {
        start(Engine.builder().pluginAttributes("proxy-mirror",
                "{\"timeout\": {\"connect\": \"60s\", \"read\": \"200ms\", \"send\": 60}}"));
        MirrorServer slow = slowMirror();
        mirrorRoute("{\"host\": \"" + slow.url() + "\"}");

        host.serve(get("/hello"));

        Await.until(() -> count(slow.url(), "timed_out") == 1, () -> "timed_out " + count(slow.url(), "timed_out"));
    }

    @Test
    void handsTheClientRouteTimeoutsOverPluginAttrAndVerifiesTlsByDefault() {
        RecordingClient client = new RecordingClient();
        start(Engine.builder().httpClient(client).pluginAttributes("proxy-mirror",
                "{\"timeout\": {\"connect\": \"3s\", \"read\": \"1m\", \"send\": 4}}"));
        mirrorRoute("{\"host\": \"https://mirror.example.com\", \"timeout\": {\"read\": 0.5}}");
        route("2", "/insecure", "\"proxy-mirror\": {\"host\": \"https://mirror.example.com\", \"ssl_verify\": false}");

        host.serve(get("/hello"));
        host.serve(get("/insecure"));

        OutboundRequest secure = client.sent.get(0);
        assertEquals("https://mirror.example.com/hello", secure.uri().toString());
        assertEquals(Duration.ofSeconds(3), secure.connectTimeout());
        assertEquals(Duration.ofSeconds(4), secure.sendTimeout());
        assertEquals(Duration.ofMillis(500), secure.readTimeout());
        assertTrue(secure.verifyTls());
        assertTrue(secure.discardResponseBody(), "the copy's answer is only counted");
        assertFalse(client.sent.get(1).verifyTls());
        assertEquals(Duration.ofMinutes(1), client.sent.get(1).readTimeout());
    }

    @Test
    void countsGrpcCopiesAsFailedWithoutSendingThem() {
        RecordingClient client = new RecordingClient();
        start(client);
        mirrorRoute("{\"host\": \"grpc://127.0.0.1:50051\"}");

        assertEquals(200, host.serve(get("/helloworld.Greeter/SayHello")).response().status());

        assertEquals(1, count("grpc://127.0.0.1:50051", "sampled"));
        assertEquals(1, count("grpc://127.0.0.1:50051", "failed"));
        assertTrue(client.sent.isEmpty());
    }

    // ---- mirror-only changes ----

    @Test
    void setsAndRemovesHeadersOnTheCopyOnly() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\", \"headers\": "
                + "{\"set\": {\"X-Mirror\": \"true\", \"api-key\": \"shadow\"}, \"remove\": [\"authorization\"]}}");

        Host.Served served = host.serve(HttpRequest.builder().uri("/hello").header("Host", "example.com")
                .header("Authorization", "Bearer secret").header("api-key", "live").build());

        MirrorServer.Received copy = mirror.take();
        assertNull(copy.header("authorization"));
        assertEquals("true", copy.header("x-mirror"));
        assertEquals("shadow", copy.header("api-key"));
        assertEquals("Bearer secret", served.headers().get("authorization"));
        assertEquals("live", served.headers().get("api-key"));
        assertFalse(served.headers().contains("x-mirror"));
    }

    @Test
    void leavesOutABodyAboveTheCapAndMarksTheCopy() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\", \"max_body_size\": 4}");

        Host.Served big = host.serve(post("/big", "hello world"));
        MirrorServer.Received capped = mirror.take();
        host.serve(post("/small", "abc"));

        assertEquals("POST", capped.method());
        assertEquals(0, capped.body().length);
        assertEquals("11", capped.header(CopyRules.BODY_OMITTED_HEADER));
        assertEquals("hello world", new String(big.body(), StandardCharsets.UTF_8), "the upstream keeps its body");
        MirrorServer.Received small = mirror.take();
        assertEquals("abc", new String(small.body(), StandardCharsets.UTF_8));
        assertNull(small.header(CopyRules.BODY_OMITTED_HEADER));
        assertEquals(1, engine.metrics().counter(MirrorStats.BODY_OMITTED, "route", "1", "target", mirror.url())
                .count());
    }

    @Test
    void asksForTheRequestBodyOnlyWhenCopiesCarryIt() {
        start(new RecordingClient());
        mirrorRoute("{\"host\": \"http://127.0.0.1:1986\"}");
        route("2", "/headers-only", "\"proxy-mirror\": {\"host\": \"http://127.0.0.1:1986\", \"body\": false}");

        assertEquals(BodyBuffering.REQUEST, bodyBuffering("/hello"));
        assertEquals(BodyBuffering.NONE, bodyBuffering("/headers-only"));
    }

    private BodyBuffering bodyBuffering(String uri) {
        Call call = engine.newCall(get(uri));
        try {
            return call.bodyBuffering();
        } finally {
            call.complete();
        }
    }

    @Test
    void sendsHeadersOnlyWhenBodyMirroringIsOff() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\", \"body\": false}");

        host.serve(post("/hello", "hello world"));

        MirrorServer.Received copy = mirror.take();
        assertEquals("POST", copy.method());
        assertEquals(0, copy.body().length);
        assertEquals("11", copy.header(CopyRules.BODY_OMITTED_HEADER));
    }

    // ---- metrics ----

    @Test
    void countsAnsweredCopiesAndTheirLatencyPerRouteAndTarget() throws Exception {
        start();
        MirrorServer mirror = mirror();
        mirrorRoute("{\"host\": \"" + mirror.url() + "\"}");

        host.serve(get("/hello"));
        host.serve(get("/hello"));

        Await.until(() -> count(mirror.url(), "sent") == 2, () -> "sent " + count(mirror.url(), "sent"));
        assertEquals(2, count(mirror.url(), "sampled"));
        assertEquals(0, count(mirror.url(), "failed") + count(mirror.url(), "dropped")
                + count(mirror.url(), "timed_out"));
        assertEquals(2, engine.metrics().timer(MirrorStats.LATENCY, "route", "1", "target", mirror.url()).count());
        assertTrue(((io.gatekit.engine.MetricsRegistry) engine.metrics()).prometheusText().contains("gatekit_mirror_requests_total{route=\"1\",target=\""
                + mirror.url() + "\",result=\"sent\"} 2"));
    }

    @Test
    void labelsTheMatchedRouteWhenTheMirrorIsConfiguredOnAService() {
        start(new RecordingClient());
        engine.put(ResourceKind.SERVICES, "s", "{\"plugins\": {\"proxy-mirror\": {\"host\": \"http://m\"}}}");
        engine.put(ResourceKind.ROUTES, "a", "{\"uri\": \"/a\", \"service_id\": \"s\", "
                + "\"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}}");
        engine.put(ResourceKind.ROUTES, "b", "{\"uri\": \"/b\", \"service_id\": \"s\", "
                + "\"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}}");

        host.serve(get("/a"));
        host.serve(get("/b"));
        host.serve(get("/b"));

        assertEquals(1, count("a", "http://m", "sampled"));
        assertEquals(2, count("b", "http://m", "sampled"));
    }

    private static Set<String> lowerNames(MirrorServer.Received copy) {
        Set<String> names = new TreeSet<>();
        copy.headers().keySet().forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
        return names;
    }
}
