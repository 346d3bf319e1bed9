package io.gatekit.plugins.ext;

import static io.gatekit.plugins.ext.Engines.conf;
import static io.gatekit.plugins.ext.Engines.request;
import static io.gatekit.plugins.ext.Engines.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Engine;
import io.gatekit.plugins.ext.TestHost.Served;
import io.gatekit.runner.Peers;
import io.gatekit.runner.Peers.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The three plugins driven through a real engine, against both runners: the released APISIX Java
 * Plugin Runner 0.4.0 and RunnerServer, loaded with filters of the same names and behaviour.
 */
@Tag("process") // starts a runner or etcd: -DexcludedGroups=process skips it
class ExtPluginPeersTest {

    private static Peers peers;

    @BeforeAll
    static void startRunners() {
        peers = Peers.builder()
                .javaRunnerFilter("org/apache/apisix/plugin/runner/gatekit/ext/GkSlowFilter.class")
                .serverPlugin("gk-slow", new SlowPlugin())
                .start();
    }

    @AfterAll
    static void stopRunners() throws IOException {
        peers.close();
    }

    private static Engine engine(Kind kind) {
        return Engines.withRunner(peers.socketPath(kind));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aStopAnswersTheClientWithTheRunnersStatusHeadersAndBodyAndTheUpstreamIsNotCalled(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/orders/*", "\"ext-plugin-pre-req\": {" + conf("gk-stop", "denied by runner") + "}");

            Served served = new TestHost(engine).serve(request("GET", "/orders/1").build());

            assertEquals(403, served.response().status());
            assertEquals("yes", served.header("x-stop"));
            assertEquals("denied by runner", served.body());
            assertEquals(0, served.upstreamCalls());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRewriteChangesThePathHeadersAndArgumentsTheUpstreamGetsAfterTheRunnerSawTheRequestAsSent(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/orders/*", "\"ext-plugin-post-req\": {" + conf("gk-rewrite", "{\"k\":1}") + "}");

            Served served = new TestHost(engine).serve(request("POST", "/orders/a%20b?a=1&b=2")
                    .header("x-in", "hello").header("x-remove", "bye").build());

            HttpHeaders sent = served.sent().headers();
            assertEquals("/rewritten?a=1&b=2&na=nv", served.sent().uri());
            assertEquals("v", sent.get("x-added"));
            assertNull(sent.get("x-remove"));
            assertEquals("POST", sent.get("x-echo-method"));
            assertEquals("/orders/a b", sent.get("x-echo-path"), "the runner sees the decoded path, as $uri");
            assertEquals("1", sent.get("x-echo-arg"));
            assertEquals("hello", sent.get("x-echo-header"));
            assertEquals("10.1.2.3", sent.get("x-echo-ip"));
            assertEquals("{\"k\":1}", sent.get("x-echo-config"));
            assertEquals(200, served.response().status());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theRunnerSeesTheNormalizedPathAsApisixSendsUriAndAPathAPluginChangedAsItStands(Kind kind) {
        try (Engine engine = engine(kind)) {
            String runner = "\"ext-plugin-post-req\": {" + conf("gk-rewrite", "{}") + "}";
            route(engine, "1", "/orders/*", runner);
            route(engine, "2", "/old/*", "\"proxy-rewrite\": {\"uri\": \"/new/./x/../y\"}, " + runner);
            TestHost host = new TestHost(engine);

            // APISIX sends ctx.var.uri while upstream_uri is unset, and upstream_uri once a plugin set it
            assertEquals("/orders/a/c", echoedPath(host, "/orders/a/./b/../c"));
            assertEquals("/orders/x", echoedPath(host, "//orders//x"));
            assertEquals("/orders/c d", echoedPath(host, "/orders/a/../c%20d"));
            assertEquals("/new/./x/../y", echoedPath(host, "/old/1"));
        }
    }

    private static String echoedPath(TestHost host, String uri) {
        Served served = host.serve(request("GET", uri).build());
        assertEquals(200, served.response().status(), uri);
        return served.sent().headers().get("x-echo-path");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theRunnerGetsTheVariablesAndTheRequestBodyItAsksFor(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/upload", "\"ext-plugin-pre-req\": {" + conf("gk-extra-req", "{}") + "}");

            Served served = new TestHost(engine).serve(request("POST", "/upload").build(), "hello body", TestHost.OK);

            assertEquals("10.1.2.3", served.sent().headers().get("x-remote-addr"));
            assertEquals("hello body", served.sent().headers().get("x-body"));
            assertEquals("hello body", served.sentBody());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void postRespAppliesTheRunnersStatusAndBodyAndMergesItsHeadersOntoTheUpstreams(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/r", "\"ext-plugin-post-resp\": {" + conf("gk-resp", "replaced body") + "}");

            Served served = new TestHost(engine).serve(request("GET", "/r").build(), sent -> HttpResponse.of(200,
                    HttpHeaders.of("Content-Type", "text/plain", "Location", "/next", "x-up", "u1"),
                    "upstream body".getBytes(StandardCharsets.UTF_8)));

            assertEquals(418, served.response().status());
            assertEquals("replaced body", served.body());
            assertEquals("gk", served.header("x-runner"));
            assertEquals("u1", served.header("x-upstream"), "the runner saw the upstream headers");
            assertEquals("text/plain", served.header("content-type"));
            assertEquals("/next", served.header("location"));
            assertEquals("u1", served.header("x-up"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void inReplaceModeTheRunnersHeadersReplaceTheUpstreamsAsInApisix(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/r", "\"ext-plugin-post-resp\": {\"header_mode\": \"replace\", "
                    + conf("gk-resp", "replaced body") + "}");

            Served served = new TestHost(engine).serve(request("GET", "/r").build());

            assertEquals(418, served.response().status());
            assertEquals("gk", served.header("x-runner"));
            assertEquals("u1", served.header("x-upstream"));
            assertNull(served.header("content-type"));
            assertNull(served.header("x-up"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theRunnerReadsTheWholeUpstreamBodyAndAResponseItDoesNotChangeKeepsStatusHeadersAndBody(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/r", "\"ext-plugin-post-resp\": {" + conf("gk-extra-resp", "{}") + "}");

            Served served = new TestHost(engine).serve(request("GET", "/r").build());

            assertEquals("upstream body", served.header("x-resp-body"));
            assertEquals(200, served.response().status());
            assertEquals("upstream body", served.body());
            assertEquals("text/plain", served.header("content-type"));
            assertEquals("u1", served.header("x-up"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHeadResponseCallsTheUpstreamOnceAsksTheRunnerAndStaysWithoutBody(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/r", "\"ext-plugin-post-resp\": {" + conf("gk-resp", "a body HEAD cannot carry") + "}");

            Served served = new TestHost(engine).serve(request("HEAD", "/r").build(),
                    sent -> HttpResponse.of(200, HttpHeaders.of("Content-Type", "text/plain", "x-up", "u1"), null));

            assertEquals(1, served.upstreamCalls());
            assertEquals(418, served.response().status());
            assertEquals("gk", served.header("x-runner"));
            assertNull(served.response().body());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void a204CallsTheUpstreamOnceAndTheRunnerReadsItsEmptyBody(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/r", "\"ext-plugin-post-resp\": {" + conf("gk-extra-resp", "{}") + "}");

            Served served = new TestHost(engine).serve(request("DELETE", "/r").build(),
                    sent -> HttpResponse.of(204, HttpHeaders.of("x-up", "u1"), null));

            assertEquals(1, served.upstreamCalls());
            assertEquals(204, served.response().status());
            assertEquals("", served.header("x-resp-body"));
            assertEquals("u1", served.header("x-up"));
            assertNull(served.response().body());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRequestCallOverTheTimeoutAnswers504AndGoesOnWithDegradation(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/closed", "\"ext-plugin-pre-req\": {\"timeout\": 0.2, " + conf("gk-slow", "1000") + "}");
            route(engine, "2", "/open", "\"ext-plugin-pre-req\": {\"timeout\": 0.2, \"allow_degradation\": true, "
                    + conf("gk-slow", "1000") + "}");
            TestHost host = new TestHost(engine);

            Served closed = host.serve(request("GET", "/closed").build());
            Served open = host.serve(request("GET", "/open").build());

            assertEquals(504, closed.response().status());
            assertEquals(0, closed.upstreamCalls());
            assertEquals(200, open.response().status());
            assertEquals("upstream body", open.body());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aResponseCallOverTheTimeoutAnswers504AndPassesTheUpstreamResponseWithDegradation(Kind kind) {
        try (Engine engine = engine(kind)) {
            route(engine, "1", "/closed", "\"ext-plugin-post-resp\": {\"timeout\": 0.2, " + conf("gk-slow", "1000") + "}");
            route(engine, "2", "/open", "\"ext-plugin-post-resp\": {\"timeout\": 0.2, \"allow_degradation\": true, "
                    + conf("gk-slow", "1000") + "}");
            TestHost host = new TestHost(engine);

            Served closed = host.serve(request("GET", "/closed").build());
            Served open = host.serve(request("GET", "/open").build());

            assertEquals(504, closed.response().status());
            assertEquals(200, open.response().status());
            assertEquals("upstream body", open.body());
            assertEquals("text/plain", open.header("content-type"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aChangedConfIsPreparedAgainAndAnUnchangedOneSurvivesOtherChanges(Kind kind) {
        try (Engine engine = engine(kind)) {
            TestHost host = new TestHost(engine);
            route(engine, "1", "/r", "\"ext-plugin-pre-req\": {" + conf("gk-stop", "first") + "}");
            assertEquals("first", host.serve(request("GET", "/r").build()).body());

            route(engine, "1", "/r", "\"ext-plugin-pre-req\": {" + conf("gk-stop", "second") + "}");
            assertEquals("second", host.serve(request("GET", "/r").build()).body());

            route(engine, "2", "/other", "\"ext-plugin-pre-req\": {" + conf("gk-stop", "other") + "}");
            assertEquals("second", host.serve(request("GET", "/r").build()).body());
            assertEquals("other", host.serve(request("GET", "/other").build()).body());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aResponseBodyOverTheLimitAnswers502OrPassesUnchangedWithDegradationButOnlyWhenTheRunnerAsksForIt(Kind kind) {
        try (Engine engine = Engines.withAttributes("{\"socket_path\": \"" + peers.socketPath(kind)
                + "\", \"resp_body_limit\": 8}")) {
            route(engine, "1", "/closed", "\"ext-plugin-post-resp\": {" + conf("gk-extra-resp", "{}") + "}");
            route(engine, "2", "/open", "\"ext-plugin-post-resp\": {\"allow_degradation\": true, "
                    + conf("gk-extra-resp", "{}") + "}");
            route(engine, "3", "/unread", "\"ext-plugin-post-resp\": {" + conf("gk-resp", "small") + "}");
            TestHost host = new TestHost(engine);

            Served closed = host.serve(request("GET", "/closed").build());
            Served open = host.serve(request("GET", "/open").build());
            Served unread = host.serve(request("GET", "/unread").build());

            assertEquals(502, closed.response().status());
            assertEquals(200, open.response().status());
            assertEquals("upstream body", open.body());
            assertEquals("text/plain", open.header("content-type"));
            assertNull(open.header("x-resp-body"));
            assertEquals(418, unread.response().status(), "a runner that never asks for the body is not limited");
        }
    }
}
