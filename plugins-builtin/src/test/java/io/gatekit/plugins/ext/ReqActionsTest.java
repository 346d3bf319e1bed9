package io.gatekit.plugins.ext;

import static io.gatekit.plugins.ext.Engines.conf;
import static io.gatekit.plugins.ext.Engines.request;
import static io.gatekit.plugins.ext.Engines.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.QueryParams;
import io.gatekit.engine.Engine;
import io.gatekit.plugins.ext.TestHost.Served;
import io.gatekit.runner.ExtraInfo;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.Reply;
import io.gatekit.runner.RunnerCallContext;
import io.gatekit.runner.RunnerPlugin;
import io.gatekit.runner.RunnerServer;
import io.gatekit.runner.TextEntry;
import io.gatekit.testing.TempDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How runner answers are applied, case by case as APISIX applies them (reference §5.2), with
 * RunnerServer plugins scripted to give answers the Java runner cannot (resp_headers, bodies,
 * entries without value, broken answers).
 */
class ReqActionsTest {

    private static Path dir;
    private static RunnerServer runner;

    private Engine engine;
    private TestHost host;

    @BeforeAll
    static void startRunner() {
        dir = TempDirs.create("gk-ext-");
        runner = RunnerServer.builder().socketPath(dir.resolve("runner.sock"))
                .plugin("t-path", answering((call, context) -> ReqAction.rewrite().path(context.config()).build()))
                .plugin("t-args", answering((call, context) -> ReqAction.rewrite().setArg("a", "2").setArg("a", "3")
                        .deleteArg("b").setArg("c", "new").build()))
                .plugin("t-host", answering((call, context) -> ReqAction.rewrite().setHeader("Host", context.config())
                        .build()))
                .plugin("t-resp-headers", answering((call, context) -> ReqAction.rewrite()
                        .addRespHeader("X-Resp", "1").addRespHeader("x-resp", "2")
                        .addRespHeader("Content-Type", "evil/type").addRespHeader("Location", "/evil")
                        .addRespHeader("x-plain", "p").build()))
                .plugin("t-body", answering((call, context) -> ReqAction.rewrite().body(context.config()).build()))
                .plugin("t-stop-multi", answering((call, context) -> ReqAction.stop()
                        .addHeader("X-Multi", "a").addHeader("X-Multi", "b").build()))
                .plugin("t-bad-header", answering((call, context) -> ReqAction.rewrite().setHeader("x-ok", "1")
                        .setHeader("bad name", "2").build()))
                .plugin("t-bad-status", answering((call, context) -> ReqAction.stop().status(42).build()))
                .plugin("t-echo-args", answering((call, context) -> ReqAction.stop().body(call.args().stream()
                        .map(a -> a.hasValue() ? a.name() + "=" + a.value() : a.name())
                        .collect(Collectors.joining(","))).build()))
                .plugin("t-req-body", answering((call, context) -> ReqAction.rewrite().setHeader("x-req-body",
                        new String(context.requestBody(), StandardCharsets.UTF_8)).build()))
                .plugin("t-req-body-answer", answering((call, context) -> {
                    byte[] body = context.extraInfo(ExtraInfo.requestBody());
                    return ReqAction.rewrite().setHeader("x-req-body-answer",
                            body == null ? "no value" : body.length + " bytes").build();
                }))
                .plugin("t-resp-edit", new RunnerPlugin() {
                    @Override
                    public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                        return Reply.builder().addHeader(TextEntry.nameOnly("x-up"))
                                .addHeader("x-new", "1").addHeader("x-new", "2").build();
                    }
                })
                .build().start();
    }

    @AfterAll
    static void stopRunner() throws IOException {
        runner.close();
        TempDirs.delete(dir);
    }

    @BeforeEach
    void startEngine() {
        engine = Engines.withRunner(runner.socketPath());
        host = new TestHost(engine);
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    /** A runner plugin answering requests only. */
    private static RunnerPlugin answering(Answer answer) {
        return new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall call, RunnerCallContext context) {
                return answer.answer(call, context);
            }
        };
    }

    @FunctionalInterface
    private interface Answer {
        ReqAction answer(HttpReqCall call, RunnerCallContext context);
    }

    @Test
    void aRewrittenPathIsPercentEncodedSoARunnerCannotInjectAQueryAndTheQueryStays() {
        route(engine, "1", "/old", "\"ext-plugin-pre-req\": {" + conf("t-path", "/new path?x=1#frag") + "}");

        Served served = host.serve(request("GET", "/old?keep=1").build());

        assertEquals("/new%20path%3Fx=1%23frag?keep=1", served.sent().uri());
    }

    @Test
    void rewrittenArgsReplaceTheFirstValueAddLaterOnesAndDeleteThoseWithoutValue() {
        route(engine, "1", "/r", "\"ext-plugin-post-req\": {" + conf("t-args", "{}") + "}");

        Served served = host.serve(request("GET", "/r?a=1&b=2&d=4").build());

        QueryParams query = served.sent().query();
        assertEquals(List.of("2", "3"), query.all("a"));
        assertEquals(List.of(), query.all("b"));
        assertEquals("new", query.get("c"));
        assertEquals("4", query.get("d"));
    }

    @Test
    void aRewrittenHostHeaderIsTheHostTheRequestCarriesUpstream() {
        route(engine, "1", "/r", "\"ext-plugin-pre-req\": {" + conf("t-host", "backend.internal:8080") + "}");

        Served served = host.serve(request("GET", "/r").build());

        assertEquals(List.of("backend.internal:8080"), served.sent().headers().all("host"));
    }

    @Test
    void respHeadersReachWhateverResponseTheClientGetsExceptThoseApisixExcludes() {
        route(engine, "1", "/up", "\"ext-plugin-pre-req\": {" + conf("t-resp-headers", "{}") + "}");
        route(engine, "2", "/stopped", "\"ext-plugin-pre-req\": {" + conf("t-resp-headers", "{}") + "}, "
                + "\"ext-plugin-post-req\": {" + conf("t-stop-multi", "{}") + "}");

        Served upstream = host.serve(request("GET", "/up").build());
        Served stopped = host.serve(request("GET", "/stopped").build());

        assertEquals(List.of("1", "2"), upstream.response().headers().all("x-resp"));
        assertEquals("p", upstream.header("x-plain"));
        assertEquals("text/plain", upstream.header("content-type"));
        assertNull(upstream.header("location"));
        assertEquals(List.of("1", "2"), stopped.response().headers().all("x-resp"));
        assertEquals(List.of("a", "b"), stopped.response().headers().all("x-multi"));
    }

    @Test
    void aRewrittenBodyReplacesTheRequestBody() {
        route(engine, "1", "/r", "\"ext-plugin-post-req\": {" + conf("t-body", "new body") + "}");

        Served served = host.serve(request("POST", "/r").build(), "old body", TestHost.OK);

        assertEquals("new body", served.sentBody());
    }

    @Test
    void aStopWithStatusZeroIs200WithLowerCasedHeadersThatKeepEveryValue() {
        route(engine, "1", "/r", "\"ext-plugin-pre-req\": {" + conf("t-stop-multi", "{}") + "}");

        Served served = host.serve(request("GET", "/r").build());

        assertEquals(200, served.response().status());
        assertEquals(List.of("a", "b"), served.response().headers().all("x-multi"));
        assertEquals("x-multi", served.response().headers().name(0));
        assertNull(served.response().body());
        assertEquals(0, served.upstreamCalls());
    }

    @Test
    void anAnswerThatCannotBeAppliedChangesNothingAndCountsAsARunnerFailure() {
        route(engine, "1", "/header", "\"ext-plugin-pre-req\": {" + conf("t-bad-header", "{}") + "}");
        route(engine, "2", "/degraded", "\"ext-plugin-pre-req\": {\"allow_degradation\": true, "
                + conf("t-bad-header", "{}") + "}");
        route(engine, "3", "/status", "\"ext-plugin-pre-req\": {" + conf("t-bad-status", "{}") + "}");

        Served header = host.serve(request("GET", "/header").build());
        Served degraded = host.serve(request("GET", "/degraded").build());
        Served status = host.serve(request("GET", "/status").build());

        assertEquals(503, header.response().status());
        assertEquals(200, degraded.response().status());
        assertNull(degraded.sent().headers().get("x-ok"), "a half-applied answer would have set x-ok");
        assertEquals(503, status.response().status());
    }

    @Test
    void theRunnerSeesRepeatedArgumentsAndFlagsWithoutValue() {
        route(engine, "1", "/r", "\"ext-plugin-pre-req\": {" + conf("t-echo-args", "{}") + "}");

        Served served = host.serve(request("GET", "/r?a=1&a=2&flag&empty=&sp=x+y").build());

        assertEquals("a=1,a=2,flag,empty=,sp=x y", served.body());
    }

    @Test
    void postRespEntriesWithoutValueDeleteAndRepeatedNamesAddWhileOtherUpstreamHeadersStay() {
        route(engine, "1", "/r", "\"ext-plugin-post-resp\": {" + conf("t-resp-edit", "{}") + "}");

        Served served = host.serve(request("GET", "/r").build());

        assertNull(served.header("x-up"));
        assertEquals(List.of("1", "2"), served.response().headers().all("x-new"));
        assertEquals("text/plain", served.header("content-type"));
        assertEquals("upstream body", served.body());
    }

    @Test
    void theRunnerGetsTheRequestBodyByDefaultAndAnEmptyOneWhenItStreams() {
        route(engine, "1", "/read", "\"ext-plugin-pre-req\": {" + conf("t-req-body", "{}") + "}");
        route(engine, "2", "/stream", "\"ext-plugin-pre-req\": {\"read_request_body\": false, "
                + conf("t-req-body", "{}") + "}");

        Served read = host.serve(request("POST", "/read").build(), "payload", TestHost.OK);
        Served streamed;
        try (LogCapture log = LogCapture.plugin("ext-plugin-pre-req")) {
            streamed = host.serve(request("POST", "/stream").build(), "payload", TestHost.OK);
            host.serve(request("POST", "/stream").build(), "payload", TestHost.OK);
            assertEquals(1, log.warnings().size(), log.warnings().toString());
        }

        assertEquals("payload", read.sent().headers().get("x-req-body"));
        assertEquals("", streamed.sent().headers().get("x-req-body"));
        assertEquals("payload", streamed.sentBody(), "the streamed body reaches the upstream untouched");
    }

    @Test
    void aRequestWithoutABodyGivesTheRunnerNoValueAsApisixDoesNotAnEmptyOne() {
        route(engine, "1", "/r", "\"ext-plugin-pre-req\": {" + conf("t-req-body-answer", "{}") + "}");

        Served none = host.serve(request("GET", "/r").build());
        Served empty = host.serve(request("POST", "/r").build(), "", TestHost.OK);
        Served some = host.serve(request("POST", "/r").build(), "payload", TestHost.OK);

        assertEquals("no value", none.sent().headers().get("x-req-body-answer"));
        assertEquals("no value", empty.sent().headers().get("x-req-body-answer"));
        assertEquals("7 bytes", some.sent().headers().get("x-req-body-answer"));
    }

    @Test
    void eachCallIsCountedByPluginAndResultAndTimed() {
        route(engine, "1", "/ok", "\"ext-plugin-pre-req\": {" + conf("t-stop-multi", "{}") + "}");
        route(engine, "2", "/bad", "\"ext-plugin-post-req\": {" + conf("t-bad-status", "{}") + "}");

        host.serve(request("GET", "/ok").build());
        host.serve(request("GET", "/ok").build());
        host.serve(request("GET", "/bad").build());

        String scrape = ((io.gatekit.engine.MetricsRegistry) engine.metrics()).prometheusText();
        assertTrue(scrape.contains("gatekit_ext_plugin_calls_total{plugin=\"ext-plugin-pre-req\",result=\"ok\"} 2"), scrape);
        assertTrue(scrape.contains("gatekit_ext_plugin_calls_total{plugin=\"ext-plugin-post-req\",result=\"error\"} 1"),
                scrape);
        assertTrue(scrape.contains("gatekit_ext_plugin_latency_seconds_count{plugin=\"ext-plugin-pre-req\"} 2"), scrape);
    }
}
