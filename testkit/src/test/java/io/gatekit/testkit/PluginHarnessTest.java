package io.gatekit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Phase;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

class PluginHarnessTest {

    private static HttpRequest get(String uri, String... headers) {
        HttpRequest.Builder builder = HttpRequest.builder().uri(uri).header("Host", "example.com");
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder.build();
    }

    @Test
    void theUpstreamReceivesTheRequestAsRewrittenAndTheClientGetsTheFilteredResponse() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.stamp())) {
            harness.route("""
                    {"stamp": {"value": "v1"}}""");
            harness.upstreamResponds(HttpResponse.of(201, HttpHeaders.of("content-type", "text/plain"),
                    "made".getBytes(StandardCharsets.UTF_8)));

            RunResult result = harness.request("/things?a=1");

            assertFalse(result.shortCircuited());
            assertEquals("v1", result.upstreamRequest().headers().get("x-stamp"));
            assertEquals("/things?a=1", result.upstreamRequest().uri());
            assertEquals(201, result.response().status());
            assertEquals("v1", result.response().headers().get("x-stamp"));
            assertEquals("made", result.bodyText());
            assertEquals("v1", result.attr(TestPlugins.STAMPED));
        }
    }

    @Test
    void aShortCircuitSkipsTheUpstreamAndNamesThePluginThatAnswered() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.stamp(), TestPlugins.deny())) {
            harness.route("""
                    {"stamp": {"value": "v"}, "deny": {"value": "secret"}}""");

            RunResult denied = harness.request("/");
            RunResult allowed = harness.request(get("/", "x-key", "secret"));

            assertTrue(denied.shortCircuited());
            assertEquals("deny", denied.shortCircuitedBy());
            assertEquals(401, denied.response().status());
            assertEquals("{\"error_msg\":\"missing key\"}", denied.bodyText());
            assertEquals("v", denied.response().headers().get("x-stamp"), "header_filter runs on local responses too");
            IllegalStateException e = assertThrows(IllegalStateException.class, denied::upstreamRequest);
            assertTrue(e.getMessage().contains("plugin [deny]"), e.getMessage());
            assertFalse(allowed.shortCircuited());
            assertNull(allowed.shortCircuitedBy());
        }
    }

    @Test
    void theTraceListsEachPluginPhaseInTheOrderTheEngineRanThem() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.deny(), TestPlugins.stamp(), TestPlugins.upper())) {
            harness.route("""
                    {"upper": {}, "deny": {"value": "k"}, "stamp": {"value": "v"}}""");

            RunResult result = harness.request(get("/", "x-key", "k"));

            assertEquals(List.of("stamp@rewrite", "deny@access", "stamp@header_filter", "upper@body_filter"),
                    result.trace());
            assertTrue(result.ran("deny", Phase.ACCESS));
            assertFalse(result.ran("deny", Phase.REWRITE));
        }
    }

    @Test
    void aStreamedBodyPassesBodyFilterChunkByChunk() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.upper())) {
            harness.route("""
                    {"upper": {}}""").bodyChunkSize(4);
            harness.upstreamResponds(HttpResponse.of(200, HttpHeaders.of(), "hello world".getBytes(StandardCharsets.UTF_8)));

            RunResult result = harness.request("/");

            assertEquals("HELLO WORLD", result.bodyText());
            assertEquals(List.of("HELL", "O WO", "RLD"), result.bodyChunks().stream()
                    .map(b -> new String(b, StandardCharsets.UTF_8)).toList());
            assertEquals(3, result.steps().stream().filter(s -> s.phase() == Phase.BODY_FILTER).count());
        }
    }

    @Test
    void anAsyncPluginWaitingForATimerResumesWhenTheClockAdvances() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.waitTimer())) {
            harness.route("""
                    {"wait-timer": {"millis": 2000}}""");

            PendingRun run = harness.send(get("/"));
            assertFalse(run.isDone());
            harness.clock().advance(Duration.ofMillis(1999));
            assertFalse(run.isDone());
            harness.clock().advance(Duration.ofMillis(1));

            assertTrue(run.isDone(), "the timer fired on advance() and the chain resumed there");
            RunResult result = run.await();
            assertEquals(200, result.response().status());
            assertEquals(Duration.ofSeconds(2), result.elapsed());
            assertEquals(ManualClock.DEFAULT_START.plusSeconds(2), result.steps().get(0).at());
        }
    }

    @Test
    void aStageThatNeverCompletesFailsTheRunNamingThePluginAndPhaseInsteadOfHanging() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.stamp(), TestPlugins.hang())) {
            harness.route("""
                    {"stamp": {"value": "v"}, "hang": {}}""").timeout(Duration.ofMillis(100));

            AssertionError e = assertThrows(AssertionError.class, () -> harness.request("/"));

            assertTrue(e.getMessage().startsWith("plugin [hang] did not complete access within 100 ms: its "
                    + "Outcome.async stage is still pending. Trace so far: [stamp@rewrite]"), e.getMessage());
            assertEquals(200, harness.route("""
                    {"stamp": {"value": "v"}}""").request("/").response().status(), "the harness is usable again");
        }
    }

    @Test
    void aTimeoutWhileATimerIsPendingSuggestsAdvancingTheClock() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.waitTimer())) {
            harness.route("""
                    {"wait-timer": {"millis": 10}}""");

            AssertionError e = assertThrows(AssertionError.class,
                    () -> harness.send(get("/")).await(Duration.ofMillis(50)));

            assertTrue(e.getMessage().contains("plugin [wait-timer] did not complete access"), e.getMessage());
            assertTrue(e.getMessage().contains("1 pending timer(s): if the plugin waits for one, advance harness.clock()"),
                    e.getMessage());
        }
    }

    @Test
    void aSecondRunCannotStartWhileOneIsPending() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.waitTimer())) {
            harness.route("""
                    {"wait-timer": {"millis": 10}}""");
            PendingRun first = harness.send(get("/"));

            assertThrows(IllegalStateException.class, () -> harness.send(get("/")));

            harness.clock().advance(Duration.ofMillis(10));
            assertEquals(200, first.await().response().status());
            PendingRun second = harness.send(get("/"));
            harness.clock().advance(Duration.ofMillis(10));
            assertEquals(200, second.await().response().status());
        }
    }

    @Test
    void aThrowingPluginIsAFailureInTheTraceAndTheClientGets500() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.boom())) {
            harness.route("""
                    {"boom": {}}""");

            RunResult result = harness.request("/");

            assertEquals(500, result.response().status());
            assertEquals("boom", result.shortCircuitedBy());
            assertEquals(1, result.failures().size());
            RunResult.Step failed = result.failures().get(0);
            assertEquals(Phase.ACCESS, failed.phase());
            assertInstanceOf(IllegalStateException.class, failed.failure());
        }
    }

    @Test
    void outboundCallsAreRecordedAndAnsweredFromCannedRules() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.callout())) {
            harness.route("""
                    {"callout": {"url": "http://auth.test/check"}}""");
            harness.httpClient().respond(r -> r.uri().getHost().equals("auth.test"), 200, "jack");

            RunResult result = harness.request(get("/", "x-user", "jack"));

            assertEquals(200, result.response().status());
            assertEquals("jack", result.attr(TestPlugins.STAMPED));
            OutboundRequest sent = harness.httpClient().requests().get(0);
            assertEquals("POST", sent.method());
            assertEquals("http://auth.test/check", sent.uri().toString());
            assertEquals("jack", sent.headers().get("x-user"));
        }
    }

    @Test
    void aFailedOutboundCallReachesThePluginAsAnError() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.callout())) {
            harness.route("""
                    {"callout": {"url": "http://auth.test/check"}}""");
            harness.httpClient().fail(r -> true, new ConnectException("refused"));

            RunResult result = harness.request("/");

            assertEquals(502, result.response().status());
            assertEquals("callout", result.shortCircuitedBy());
        }
    }

    @Test
    void aPluginHeldByAnOutboundAnswerResumesWhenTheTestCompletesIt() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.callout())) {
            harness.route("""
                    {"callout": {"url": "http://auth.test/check"}}""");
            CompletableFuture<OutboundResponse> answer = new CompletableFuture<>();
            harness.httpClient().answer(r -> true, r -> answer);

            PendingRun run = harness.send(get("/"));
            assertFalse(run.isDone());
            answer.complete(new OutboundResponse(401, HttpHeaders.of(), new byte[0]));

            assertEquals(403, run.await().response().status());
        }
    }

    @Test
    void anInvalidConfigIsRejectedWithEveryViolation() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.stamp())) {
            ConfigException e = assertThrows(ConfigException.class, () -> harness.route("""
                    {"stamp": {"value": "", "extra": 1}}"""));

            List<String> pointers = e.violations().stream().map(Violation::pointer).toList();
            assertTrue(pointers.contains("/plugins/stamp/value"), pointers.toString());
            assertTrue(pointers.contains("/plugins/stamp/extra"), pointers.toString());
        }
    }

    @Test
    void timersOfAnInstanceStopWhenTheEngineClosesIt() {
        TestPlugins.TICKS.clear();
        try (PluginHarness harness = PluginHarness.of(TestPlugins.ticker())) {
            harness.route("""
                    {"ticker": {"value": "old"}}""");
            harness.clock().advance(Duration.ofSeconds(2));

            harness.route("""
                    {"ticker": {"value": "new"}}""");
            harness.clock().advance(Duration.ofSeconds(2));

            assertEquals(List.of("old", "old", "new", "new"), TestPlugins.TICKS);
            harness.engine().delete(ResourceKind.ROUTES, PluginHarness.ROUTE_ID, false);
            harness.clock().advance(Duration.ofSeconds(5));
            assertEquals(4, TestPlugins.TICKS.size());
            assertEquals(0, harness.clock().pendingTimers());
        }
    }

    @Test
    void pluginsListedInMetaInfServicesAreFoundWhenDiscoveryIsOn(@TempDir Path dir) throws Exception {
        DiscoverableFactory.listIn(dir);
        try (var loader = DiscoverableFactory.loaderFor(dir)) {
            Thread.currentThread().setContextClassLoader(loader);
            try (PluginHarness harness = PluginHarness.builder().discoverPlugins().plugin(TestPlugins.stamp()).build()) {
                harness.route("""
                        {"discoverable": {}}""");

                assertEquals(List.of("discoverable", "stamp"), harness.engine().plugins().stream()
                        .map(p -> p.name()).toList());
                assertEquals(List.of("discoverable@access"), harness.request("/").trace());
            }
        } finally {
            Thread.currentThread().setContextClassLoader(PluginHarnessTest.class.getClassLoader());
        }
    }

    @Test
    void noRouteMeansTheEngineAnswers404AndNoPluginIsBlamed() {
        try (PluginHarness harness = PluginHarness.of(TestPlugins.stamp())) {
            RunResult result = harness.request("/");

            assertEquals(404, result.response().status());
            assertTrue(result.shortCircuited());
            assertNull(result.shortCircuitedBy());
        }
    }

    record NoConfig() {
    }

    @Test
    void pluginsReadTheTimeFromTheHarnessClock() {
        io.gatekit.api.PluginFactory<NoConfig> clocked = io.gatekit.api.PluginFactory.of("clocked", 1,
                "{\"type\": \"object\"}", NoConfig.class, (config, context) -> new io.gatekit.api.Plugin() {
                    @Override
                    public io.gatekit.api.Outcome rewrite(io.gatekit.api.http.Exchange exchange) {
                        exchange.request().headers().set("x-now", context.clock().instant().toString());
                        return io.gatekit.api.Outcome.proceed();
                    }
                });
        try (PluginHarness harness = PluginHarness.of(clocked)) {
            harness.route("""
                    {"clocked": {}}""");

            String before = harness.request("/").upstreamRequest().headers().get("x-now");
            harness.clock().advance(Duration.ofSeconds(90));
            String after = harness.request("/").upstreamRequest().headers().get("x-now");

            assertEquals(ManualClock.DEFAULT_START.toString(), before);
            assertEquals(ManualClock.DEFAULT_START.plusSeconds(90).toString(), after);
        }
    }
}
