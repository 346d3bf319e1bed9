package io.gatekit.plugins.ext;

import static io.gatekit.plugins.ext.Engines.conf;
import static io.gatekit.plugins.ext.Engines.request;
import static io.gatekit.plugins.ext.Engines.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.plugins.ext.TestHost.Served;
import io.gatekit.runner.RunnerServer;
import io.gatekit.runner.TestPlugins;
import io.gatekit.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What clients get when the runner or the upstream is not there, or comes back. */
class ExtPluginFailuresTest {

    private static final String ROUTES = "pre,post,resp";

    private Path dir;

    @BeforeEach
    void makeDir() {
        dir = TempDirs.create("gk-ext-");
    }

    @AfterEach
    void removeDir() throws IOException {
        TempDirs.delete(dir);
    }

    /** Routes /pre, /post and /resp, each with one of the three plugins running {@code gk-stop}/{@code gk-resp}. */
    private static void threeRoutes(Engine engine, String extra) {
        route(engine, "pre", "/pre", "\"ext-plugin-pre-req\": {" + extra + conf("gk-stop", "x") + "}");
        route(engine, "post", "/post", "\"ext-plugin-post-req\": {" + extra + conf("gk-stop", "x") + "}");
        route(engine, "resp", "/resp", "\"ext-plugin-post-resp\": {" + extra + conf("gk-resp", "x") + "}");
    }

    @Test
    void aRunnerThatIsDownGets503FromEachPluginAndNoRequestReachesTheUpstreamBeforeIt() {
        try (Engine engine = Engines.withRunner(dir.resolve("nobody-listens.sock"))) {
            threeRoutes(engine, "");
            TestHost host = new TestHost(engine);

            for (String path : ROUTES.split(",")) {
                Served served = host.serve(request("GET", "/" + path).build());

                assertEquals(503, served.response().status(), path);
                assertTrue(served.body().contains("ext-plugin runner unavailable"), served.body());
                assertEquals("application/json", served.header("content-type"));
                assertEquals(path.equals("resp") ? 1 : 0, served.upstreamCalls(), path);
            }
        }
    }

    @Test
    void withDegradationARunnerThatIsDownChangesNothingNotEvenTheUpstreamHeaders() {
        try (Engine engine = Engines.withRunner(dir.resolve("nobody-listens.sock"))) {
            threeRoutes(engine, "\"allow_degradation\": true, ");
            TestHost host = new TestHost(engine);

            for (String path : ROUTES.split(",")) {
                Served served = host.serve(request("GET", "/" + path).build());

                assertEquals(200, served.response().status(), path);
                assertEquals("upstream body", served.body(), path);
                assertEquals("text/plain", served.header("content-type"), path);
                assertEquals("u1", served.header("x-up"), path);
                assertEquals(1, served.upstreamCalls(), path);
            }
            assertTrue(((io.gatekit.engine.MetricsRegistry) engine.metrics()).prometheusText().contains(
                    "gatekit_ext_plugin_degraded_total{plugin=\"ext-plugin-post-resp\"} 1"),
                    ((io.gatekit.engine.MetricsRegistry) engine.metrics()).prometheusText());
        }
    }

    @Test
    void withoutASocketPathConfigsAreAcceptedAndRequestsGet503WithOneLogLineSayingWhatToSet() {
        try (Engine engine = Engines.withAttributes(null); LogCapture log = LogCapture.plugin("ext-plugin-pre-req")) {
            route(engine, "1", "/closed", "\"ext-plugin-pre-req\": {" + conf("gk-stop", "x") + "}");
            route(engine, "2", "/open", "\"ext-plugin-post-resp\": {\"allow_degradation\": true, "
                    + conf("gk-resp", "x") + "}");
            TestHost host = new TestHost(engine);

            Served first = host.serve(request("GET", "/closed").build());
            Served second = host.serve(request("GET", "/closed").build());
            Served open = host.serve(request("GET", "/open").build());

            assertEquals(503, first.response().status());
            assertEquals(503, second.response().status());
            assertEquals(200, open.response().status());
            assertEquals("upstream body", open.body());
            assertEquals(1, log.warnings().size(), log.warnings().toString());
            String line = log.warnings().get(0);
            assertTrue(line.contains("ext-plugin.cmd") && line.contains("ext-plugin.path_for_test")
                    && line.contains("route 1"), line);
        }
    }

    @Test
    void aRunnerRestartedUnderTrafficIsUsedAgainAndEveryRequestAfterItsReturnSucceeds() throws Exception {
        Path socket = dir.resolve("runner.sock");
        RunnerServer first = TestPlugins.register(RunnerServer.builder().socketPath(socket)).build().start();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (Engine engine = Engines.withRunner(socket)) {
            route(engine, "1", "/r", "\"ext-plugin-pre-req\": {" + conf("gk-stop", "from runner") + "}");
            TestHost host = new TestHost(engine);
            assertEquals(403, host.serve(request("GET", "/r").build()).response().status());

            // Traffic from four clients; each request notes when it started and what it got.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong backAt = new AtomicLong(Long.MAX_VALUE);
            List<Future<List<String>>> traffic = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                traffic.add(clients.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    int afterReturn = 0;
                    while (!stop.get() || afterReturn < 5) {
                        long startedAt = System.nanoTime();
                        Served served = host.serve(request("GET", "/r").build());
                        int status = served.response().status();
                        boolean afterBack = startedAt - backAt.get() > 0;
                        if (afterBack) {
                            afterReturn++;
                        }
                        if (afterBack ? status != 403 || !served.body().equals("from runner")
                                : status != 403 && status != 503) {
                            wrong.add(status + " " + served.body() + (afterBack ? " after the runner was back" : ""));
                        }
                    }
                    return wrong;
                }));
            }
            first.close();
            Served whileDown = host.serve(request("GET", "/r").build());
            try (RunnerServer second = TestPlugins.register(RunnerServer.builder().socketPath(socket)).build().start()) {
                backAt.set(System.nanoTime());
                stop.set(true);
                for (Future<List<String>> client : traffic) {
                    assertEquals(List.of(), client.get(30, TimeUnit.SECONDS));
                }
                assertEquals(503, whileDown.response().status());
                assertEquals("from runner", host.serve(request("GET", "/r").build()).body());
            }
        } finally {
            clients.shutdownNow();
            first.close();
        }
    }

    @Test
    void anUpstreamThatIsDownIsNotShownToTheRunnerAndTheHosts502GoesOut() throws Exception {
        try (RunnerServer runner = TestPlugins.register(RunnerServer.builder().socketPath(dir.resolve("r.sock"))).build().start();
                Engine engine = Engines.withRunner(runner.socketPath())) {
            route(engine, "1", "/r", "\"ext-plugin-post-resp\": {" + conf("gk-resp", "x") + "}");

            Served served = new TestHost(engine).serve(request("GET", "/r").build(), TestHost.DOWN);

            assertEquals(502, served.response().status());
            assertTrue(served.body().contains("502 Bad Gateway"), served.body()); // the engine's page, as APISIX's
            assertNull(served.header("x-runner"));
            assertTrue(((io.gatekit.engine.MetricsRegistry) engine.metrics()).prometheusText().contains(
                    "gatekit_ext_plugin_calls_total{plugin=\"ext-plugin-post-resp\",result=\"ok\"} 0"),
                    ((io.gatekit.engine.MetricsRegistry) engine.metrics()).prometheusText());
        }
    }

    @Test
    void aRequestAnsweredByAnEarlierPluginIsNotShownToPostResp() {
        try (RunnerServer runner = TestPlugins.register(RunnerServer.builder().socketPath(dir.resolve("r.sock"))).build().start();
                Engine engine = Engines.withRunner(runner.socketPath())) {
            route(engine, "1", "/r", "\"ext-plugin-pre-req\": {" + conf("gk-stop", "stopped early") + "}, "
                    + "\"ext-plugin-post-resp\": {" + conf("gk-resp", "x") + "}");

            Served served = new TestHost(engine).serve(request("GET", "/r").build());

            assertEquals(403, served.response().status());
            assertEquals("stopped early", served.body());
            assertNull(served.header("x-runner"));
        }
    }
}
