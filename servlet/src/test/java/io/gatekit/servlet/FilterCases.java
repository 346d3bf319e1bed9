package io.gatekit.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The filter's behaviour beyond the conformance suite, in one container (the subclass names it),
 * started once for the class with eight threads: what the application sees and sends on a route
 * with plugins, its failures, and no container thread held while the upstream is pending.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FilterCases {

    /** Threads the container may use, all told: fewer than the requests of the concurrency case. */
    static final int CONTAINER_THREADS = 8;

    private static final AtomicInteger CASES = new AtomicInteger();

    private Engine engine;
    private ServletHost host;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    abstract ServletHost.Kind kind();

    @BeforeAll
    void startContainer() throws Exception {
        Engine.Builder builder = Engine.builder();
        TestPlugins.all().forEach(builder::plugin);
        engine = builder.build();
        GatekitFilter filter = GatekitFilter.builder(engine).build();
        host = kind().start((classes, context) -> {
            filter.register(context);
            TestServlets.addTo(context);
        }, CONTAINER_THREADS);
    }

    @AfterAll
    void stopContainer() throws Exception {
        host.close();
        engine.close();
    }

    @BeforeEach
    void clearRoutes() {
        engine.list(ResourceKind.ROUTES).forEach(r -> engine.delete(ResourceKind.ROUTES, r.id(), true));
        engine.put(ResourceKind.GLOBAL_RULES, "log", """
                {"plugins": {"test-log": {}}}""");
    }

    private void route(String uri, String plugins) {
        engine.put(ResourceKind.ROUTES, uri.replaceAll("[^a-z]", ""), """
                {"uri": "%s", "plugins": %s}""".formatted(uri, plugins));
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.address().getPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).header("x-case", "case-" + CASES.incrementAndGet());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int logRuns(HttpRequest request) {
        String id = request.headers().firstValue("x-case").orElseThrow();
        Await.until("log never ran for " + id, () -> TestPlugins.LOGS.containsKey(id));
        return TestPlugins.LOGS.get(id);
    }

    @Test
    void theApplicationSeesTheRequestAsThePluginsLeftIt() throws Exception {
        route("/echo/*", """
                {"test-rewrite": {}}""");

        HttpResponse<String> response = send(request("/echo/page?p=client&q=1").build());

        assertEquals(200, response.statusCode());
        assertEquals("""
                method GET
                uri /echo/rewritten/page
                query p=plugin&q=1
                x-added by-plugin
                p plugin
                body\s
                """, response.body().replace("\r\n", "\n"));
    }

    @Test
    void aRequestBodyNoPluginReadsReachesTheApplicationAsSent() throws Exception {
        route("/echo/*", """
                {"test-stamp": {}}""");

        HttpResponse<String> response = send(request("/echo/post").POST(HttpRequest.BodyPublishers.ofString("the body"))
                .build());

        assertTrue(response.body().contains("body the body"), response.body());
        assertEquals("status 200", response.headers().firstValue("x-stamp").orElse(null));
    }

    @Test
    void aRequestBodyAPluginReadWholeReachesTheApplicationAsThePluginLeftIt() throws Exception {
        route("/echo/*", """
                {"test-read-body": {}}""");

        HttpResponse<String> response = send(request("/echo/post").POST(HttpRequest.BodyPublishers.ofString("the body"))
                .build());

        assertTrue(response.body().contains("body read 8: the body"), response.body());
    }

    @Test
    void theApplicationsStreamedAnswerGoesThroughBodyFilterWhole() throws Exception {
        route("/stream/*", """
                {"test-upper": {}, "test-stamp": {}}""");
        HttpRequest request = request("/stream/big?kb=4096").build();

        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertEquals("status 200", response.headers().firstValue("x-stamp").orElse(null));
        byte[] body = response.body();
        assertEquals(4096 * 1024, body.length);
        for (int i = 0; i < body.length; i += 16 * 1024) {
            assertEquals('A' + (i / (16 * 1024)) % 26, body[i], "chunk at " + i);
        }
        assertEquals(1, logRuns(request));
    }

    @Test
    void anApplicationThatThrowsBeforeAnsweringFailsOnlyItsOwnRequestWith500() throws Exception {
        route("/fail/*", """
                {"test-stamp": {}}""");
        route("/echo/*", """
                {"test-stamp": {}}""");
        HttpRequest failing = request("/fail/now").build();

        HttpResponse<String> failed = send(failing);
        HttpResponse<String> next = send(request("/echo/next").build());

        assertEquals(500, failed.statusCode());
        assertEquals("status 500", failed.headers().firstValue("x-stamp").orElse(null), "header_filter ran on the 500");
        assertEquals(200, next.statusCode());
        assertEquals(1, logRuns(failing));
    }

    @Test
    void aPluginThatThrowsInFrontOfTheApplicationFailsOnlyItsOwnRequest() throws Exception {
        route("/echo/*", """
                {"test-throw": {}}""");

        HttpResponse<String> failed = send(request("/echo/a").header("x-throw", "1").build());
        HttpResponse<String> next = send(request("/echo/b").build());

        assertEquals(500, failed.statusCode());
        assertTrue(failed.body().contains("500 Internal Server Error"), failed.body());
        assertEquals(200, next.statusCode());
    }

    @Test
    void anAnswerThatBreaksOffHalfWayReachesTheClientAsBrokenNotAsWhole() throws Exception {
        route("/cut/*", """
                {"test-stamp": {}}""");
        HttpRequest request = request("/cut/now").build();

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).get(20, TimeUnit.SECONDS));

        assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
        assertEquals(1, logRuns(request));
        assertEquals(200, send(request("/echo/after").build()).statusCode(), "the container serves on");
    }

    @Test
    void sendErrorAnswersThroughTheRoutesPlugins() throws Exception {
        route("/teapot/*", """
                {"test-stamp": {}, "test-upper": {}}""");

        HttpResponse<String> response = send(request("/teapot/x").build());

        assertEquals(418, response.statusCode());
        assertEquals("status 418", response.headers().firstValue("x-stamp").orElse(null));
        assertEquals("SHORT AND STOUT\n", response.body());
    }

    @Test
    void aRequestNoRouteMatchesReachesTheApplicationUntouched() throws Exception {
        route("/echo/*", """
                {"test-rewrite": {}}""");
        HttpRequest request = request("/elsewhere?x=1").build();

        HttpResponse<String> response = send(request);

        assertEquals(200, response.statusCode());
        assertEquals("app GET /elsewhere?x=1", response.body());
        assertNull(TestPlugins.LOGS.get(request.headers().firstValue("x-case").orElseThrow()),
                "no plugin, not even a global rule, runs for it");
    }

    @Test
    void requestsWaitingForASlowUpstreamHoldNoContainerThread() throws Exception {
        int requests = 3 * CONTAINER_THREADS;
        CountDownLatch allArrived = new CountDownLatch(requests);
        ExecutorService upstreamThreads = Executors.newFixedThreadPool(requests + 4);
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        upstream.setExecutor(upstreamThreads);
        upstream.createContext("/", exchange -> {
            allArrived.countDown();
            boolean together;
            try {
                together = allArrived.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                together = false;
            }
            byte[] body = (together ? "together" : "alone").getBytes(StandardCharsets.UTF_8);
            try (InputStream in = exchange.getRequestBody(); exchange) {
                in.readAllBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        upstream.start();
        try {
            engine.put(ResourceKind.ROUTES, "slow", """
                    {"uri": "/slow/*", "upstream": {"nodes": {"127.0.0.1:%d": 1}}}""".formatted(
                    upstream.getAddress().getPort()));

            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                sent.add(client.sendAsync(request("/slow/" + i).build(), HttpResponse.BodyHandlers.ofString()));
            }

            for (CompletableFuture<HttpResponse<String>> response : sent) {
                HttpResponse<String> answered = response.get(30, TimeUnit.SECONDS);
                assertEquals(200, answered.statusCode());
                assertEquals("together", answered.body(), requests + " requests were never at the upstream at once,"
                        + " with " + CONTAINER_THREADS + " container threads");
            }
        } finally {
            upstream.stop(0);
            upstreamThreads.shutdownNow();
        }
    }
}
