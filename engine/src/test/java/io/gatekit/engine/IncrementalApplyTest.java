package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A change to one route is applied incrementally (that route compiled, the router patched,
 * everything else shared); these tests hold it to what a full rebuild of the same config does.
 */
class IncrementalApplyTest {

    private final List<Engine> engines = new ArrayList<>();

    @BeforeEach
    void clearClosed() {
        TestPlugins.CLOSED.clear();
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    private Engine newEngine() {
        Engine engine = Engine.builder()
                .plugin(new TestPlugins.Tracer("alpha", 3000))
                .plugin(new TestPlugins.Tracer("beta", 2000))
                .plugin(new TestPlugins.Tracer("gamma", 1000))
                .plugin(new FailingToStart())
                .build();
        engines.add(engine);
        return engine;
    }

    /** The matched route and every plugin phase that ran, for a request through all phases. */
    private static String serve(Engine engine, String method, String uri) {
        Call call = engine.newCall(HttpRequest.builder().method(method).uri(uri).header("Host", "example.com")
                .build());
        try {
            Outcome outcome = call.runRequestPhases();
            if (outcome.kind() == Outcome.Kind.ASYNC) {
                outcome = outcome.stage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
            HttpResponse response = outcome.proceeds() ? HttpResponse.of(200) : outcome.response();
            if (outcome.proceeds()) {
                call.upstreamResponse(response);
            } else {
                call.localResponse(response);
            }
            return call.exchange().routeId() + " " + response.status() + " "
                    + call.exchange().attr(TestPlugins.TRACE);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            call.complete();
        }
    }

    private static final String[] URIS = {"/a", "/a/b", "/a/*", "/a/b/*", "/*", "/a/:x", "/a/:x/d", "/c", "/c/*"};
    private static final String[] REQUESTS = {"/a", "/a/b", "/a/b/c", "/a/z", "/a/z/d", "/c", "/c/d", "/x"};
    private static final String[] PLUGINS = {"alpha", "beta", "gamma"};

    private static String randomRoute(Random random, int version) {
        StringBuilder json = new StringBuilder("{\"uri\": \"").append(URIS[random.nextInt(URIS.length)]).append('"');
        json.append(", \"priority\": ").append(random.nextInt(3));
        if (random.nextInt(4) == 0) {
            json.append(", \"methods\": [\"POST\"]");
        }
        if (random.nextInt(6) == 0) {
            json.append(", \"status\": 0");
        }
        if (random.nextInt(3) == 0) {
            json.append(", \"service_id\": \"s\"");
        } else if (random.nextInt(3) == 0) {
            json.append(", \"plugin_config_id\": \"pc\"");
        }
        json.append(", \"plugins\": {\"").append(PLUGINS[random.nextInt(PLUGINS.length)])
                .append("\": {\"tag\": \"v").append(version).append("\"}}}");
        return json.toString();
    }

    private static final String SHARED = """
            "services": [{"id": "s", "plugins": {"beta": {"tag": "svc"}}}],
            "plugin_configs": [{"id": "pc", "plugins": {"gamma": {"tag": "pc"}}}],
            "global_rules": [{"id": "g", "plugins": {"alpha": {"tag": "global"}}}]""";

    private static String document(Map<String, String> routes) {
        StringBuilder doc = new StringBuilder("{").append(SHARED).append(", \"routes\": [");
        String separator = "";
        for (Map.Entry<String, String> route : routes.entrySet()) {
            doc.append(separator).append("{\"id\": \"").append(route.getKey()).append("\", ")
                    .append(route.getValue().substring(1));
            separator = ", ";
        }
        return doc.append("]}").toString();
    }

    private static List<String> answers(Engine engine) {
        List<String> answers = new ArrayList<>();
        for (String uri : REQUESTS) {
            for (String method : new String[] {"GET", "POST"}) {
                answers.add(method + " " + uri + " -> " + serve(engine, method, uri));
            }
        }
        return answers;
    }

    @Test
    void routePutsAndDeletesOneByOneServeAsAFullRebuildOfTheResultingConfig() {
        Random random = new Random(42);
        Map<String, String> model = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            model.put("r" + i, randomRoute(random, 0));
        }
        Engine incremental = newEngine();
        incremental.replaceAll(document(model));
        for (int step = 1; step <= 50; step++) {
            String id = "r" + random.nextInt(14);
            if (model.containsKey(id) && random.nextInt(4) == 0) {
                model.remove(id);
                incremental.delete(ResourceKind.ROUTES, id, false);
            } else {
                String route = randomRoute(random, step);
                model.put(id, route);
                incremental.put(ResourceKind.ROUTES, id, route);
            }
            Engine rebuilt = newEngine();
            rebuilt.replaceAll(document(model));

            assertEquals(answers(rebuilt), answers(incremental), "step " + step + ", route " + id);
            rebuilt.close();
            engines.remove(rebuilt);
        }
    }

    @Test
    void aRouteUpdateReferringToAMissingUpstreamIsRejectedAndTheRouteKeepsServing() {
        Engine engine = newEngine();
        engine.put(ResourceKind.UPSTREAMS, "u", "{\"nodes\": {\"127.0.0.1:1980\": 1}}");
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"upstream_id\": \"u\", \"plugins\": {\"alpha\": {}}}");
        engine.put(ResourceKind.ROUTES, "2", "{\"uri\": \"/c\", \"plugins\": {\"beta\": {}}}");
        long version = engine.version();

        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1",
                "{\"uri\": \"/a\", \"upstream_id\": \"missing\", \"plugins\": {\"gamma\": {}}}"));

        assertEquals("failed to fetch upstream info by upstream id [missing], response code: 404", e.errorMsg());
        assertEquals(version, engine.version());
        assertEquals("1 200 [alpha@rewrite, alpha@access, alpha@header_filter]", serve(engine, "GET", "/a"));
        assertEquals("2 200 [beta@rewrite, beta@access, beta@header_filter]", serve(engine, "GET", "/c"));
    }

    @Test
    void aRouteUpdateWhosePluginFailsToStartIsRejectedAndTheRouteKeepsItsInstances() {
        Engine engine = newEngine();
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"alpha\": {\"tag\": \"one\"}}}");
        long version = engine.version();

        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1",
                "{\"uri\": \"/b\", \"plugins\": {\"beta\": {\"tag\": \"two\"}, \"fails-to-start\": {}}}"));

        assertTrue(e.errorMsg().contains("fails-to-start"), e.errorMsg());
        assertEquals(version, engine.version());
        assertEquals(List.of("beta:two"), TestPlugins.CLOSED, "what the rejected change created is closed");
        assertEquals("1 200 [alpha:one@rewrite, alpha:one@access, alpha:one@header_filter]",
                serve(engine, "GET", "/a"));
        assertEquals("null 404 null", serve(engine, "GET", "/b"));
    }

    @Test
    void aRouteUpdateClosesOnlyTheInstancesNoRouteRunsAnyMore() {
        Engine engine = newEngine();
        engine.put(ResourceKind.GLOBAL_RULES, "g", "{\"plugins\": {\"gamma\": {\"tag\": \"global\"}}}");
        engine.put(ResourceKind.SERVICES, "s", "{\"plugins\": {\"beta\": {\"tag\": \"svc\"}}}");
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/1\", \"plugins\": {\"alpha\": {\"tag\": \"one\"}}}");
        engine.put(ResourceKind.ROUTES, "2", "{\"uri\": \"/2\", \"plugins\": {\"alpha\": {\"tag\": \"two\"}}}");
        engine.put(ResourceKind.ROUTES, "3", "{\"uri\": \"/3\", \"service_id\": \"s\"}");
        engine.put(ResourceKind.ROUTES, "4", "{\"uri\": \"/4\", \"service_id\": \"s\"}");
        assertEquals(List.of(), TestPlugins.CLOSED);

        engine.put(ResourceKind.ROUTES, "2", "{\"uri\": \"/2\", \"plugins\": {\"alpha\": {\"tag\": \"two-b\"}}}");
        assertEquals(List.of("alpha:two"), TestPlugins.CLOSED);

        engine.delete(ResourceKind.ROUTES, "3", false);
        assertEquals(List.of("alpha:two"), TestPlugins.CLOSED, "route 4 still runs the service's instance");
        assertEquals("4 200 [gamma:global@rewrite, beta:svc@rewrite, gamma:global@access, beta:svc@access, "
                + "gamma:global@header_filter, beta:svc@header_filter]", serve(engine, "GET", "/4"));

        engine.delete(ResourceKind.ROUTES, "4", false);
        assertEquals(List.of("alpha:two", "beta:svc"), TestPlugins.CLOSED);
        assertEquals("1 200 [gamma:global@rewrite, alpha:one@rewrite, gamma:global@access, alpha:one@access, "
                + "gamma:global@header_filter, alpha:one@header_filter]", serve(engine, "GET", "/1"));

        engine.close();
        assertEquals(List.of("alpha:one", "alpha:two", "alpha:two-b", "beta:svc", "gamma:global"),
                TestPlugins.CLOSED.stream().sorted().toList());
    }

    @Test
    void eachReplacedInstanceStaysOpenUntilTheRequestsOfEverySnapshotThatRanItFinish() {
        Engine engine = newEngine();
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"alpha\": {\"tag\": \"a\"}}}");
        Call first = engine.newCall(HttpRequest.builder().uri("/a").build());
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"alpha\": {\"tag\": \"b\"}}}");
        Call second = engine.newCall(HttpRequest.builder().uri("/a").build());
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"plugins\": {\"alpha\": {\"tag\": \"c\"}}}");
        assertEquals(List.of(), TestPlugins.CLOSED);

        first.runRequestPhases();
        assertEquals(List.of("alpha:a@rewrite", "alpha:a@access"), first.exchange().attr(TestPlugins.TRACE));
        first.complete();
        assertEquals(List.of("alpha:a"), TestPlugins.CLOSED);

        second.runRequestPhases();
        assertEquals(List.of("alpha:b@rewrite", "alpha:b@access"), second.exchange().attr(TestPlugins.TRACE));
        second.complete();
        assertEquals(List.of("alpha:a", "alpha:b"), TestPlugins.CLOSED);
    }

    @Test
    void requestsRacingRouteChangesNeverRunAClosedInstanceAndEveryInstanceClosesOnce() throws Exception {
        Guarded guarded = new Guarded();
        Engine engine = Engine.builder().plugin(guarded).build();
        engines.add(engine);
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/r\", \"plugins\": {\"guarded\": {\"tag\": \"v0\"}}}");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    Call call = engine.newCall(HttpRequest.builder().uri("/r").build());
                    call.runRequestPhases();
                    call.upstreamResponse(HttpResponse.of(200));
                    call.complete();
                    served.incrementAndGet();
                }
            });
            reader.start();
            readers.add(reader);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int step = 1; step <= 300 && System.nanoTime() < deadline; step++) {
            if (step % 50 == 0) {
                engine.replaceAll("{\"routes\": [{\"id\": \"1\", \"uri\": \"/r\", \"plugins\": {\"guarded\": "
                        + "{\"tag\": \"full" + step + "\"}}}, {\"id\": \"2\", \"uri\": \"/s\", \"plugins\": "
                        + "{\"guarded\": {\"tag\": \"other" + step + "\"}}}]}");
            } else {
                engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/r\", \"plugins\": {\"guarded\": {\"tag\": \"v"
                        + step + "\"}}}");
            }
        }
        while (served.get() < 1000 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        engine.close();

        assertEquals(List.of(), guarded.misuses);
        assertTrue(served.get() >= 1000, "served " + served.get());
        assertEquals(guarded.created.get(), guarded.closed.get(), "every instance created is closed once");
    }

    /** Records any call to a closed instance and any second close. */
    static final class Guarded extends SimplePluginFactory<TestPlugins.Conf> {
        final List<String> misuses = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();

        Guarded() {
            super("guarded", 1, TestPlugins.SCHEMA, TestPlugins.Conf.class);
        }

        @Override
        public Plugin create(TestPlugins.Conf config, PluginContext context) {
            created.incrementAndGet();
            java.util.concurrent.atomic.AtomicBoolean isClosed = new java.util.concurrent.atomic.AtomicBoolean();
            return new Plugin() {
                private void check(String phase) {
                    if (isClosed.get()) {
                        misuses.add(config.tag() + " ran " + phase + " after close");
                    }
                }

                @Override
                public Outcome rewrite(io.gatekit.api.http.Exchange exchange) {
                    check("rewrite");
                    return Outcome.proceed();
                }

                @Override
                public io.gatekit.api.Completion headerFilter(io.gatekit.api.http.Exchange exchange) {
                    check("header_filter");
                    return io.gatekit.api.Completion.done();
                }

                @Override
                public void log(io.gatekit.api.http.Exchange exchange) {
                    check("log");
                }

                @Override
                public void close() {
                    if (!isClosed.compareAndSet(false, true)) {
                        misuses.add(config.tag() + " closed twice");
                    }
                    closed.incrementAndGet();
                }
            };
        }
    }

    /** Config of {@link FailingToStart}. */
    record Empty() {
    }

    /** A plugin whose every instance fails to start. */
    static final class FailingToStart extends SimplePluginFactory<Empty> {
        FailingToStart() {
            super("fails-to-start", 10, "{\"type\": \"object\"}", Empty.class);
        }

        @Override
        public Plugin create(Empty config, PluginContext context) {
            throw new IllegalStateException("cannot start");
        }
    }
}
