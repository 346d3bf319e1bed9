package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routes match, and {@code uri} reads, nginx's normalized {@code $uri} as APISIX does, while the
 * path as received stays in the request for what goes upstream.
 */
class RequestPathTest {

    private Engine engine;

    @BeforeEach
    void startEngine() {
        engine = Engine.builder()
                .plugin(new TestPlugins.Tracer("alpha", 3000))
                .plugin(new PathSetter())
                .build();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    private Call call(String target) {
        return engine.newCall(HttpRequest.builder().uri(target).header("Host", "example.com").build());
    }

    /** The id of the route {@code target} matches, or null. */
    private String routeOf(String target) {
        Call call = call(target);
        try {
            return call.matched() ? call.exchange().routeId() : null;
        } finally {
            call.complete();
        }
    }

    @Test
    void routesMatchThePathDecodedWithDotSegmentsResolvedAndSlashesMerged() {
        engine.put(ResourceKind.ROUTES, "space", """
                {"uri": "/a b", "plugins": {}}""");
        engine.put(ResourceKind.ROUTES, "ac", """
                {"uri": "/a/c", "plugins": {}}""");
        engine.put(ResourceKind.ROUTES, "x", """
                {"uri": "/x", "plugins": {}}""");
        engine.put(ResourceKind.ROUTES, "ab", """
                {"uri": "/a/b", "plugins": {}}""");

        assertEquals("space", routeOf("/a%20b"));
        assertEquals("ac", routeOf("/a/./b/../c"));
        assertEquals("x", routeOf("//x"));
        assertEquals("ab", routeOf("/a%2Fb"));
        assertEquals("ab", routeOf("/a%2fb?q=1"));
    }

    @Test
    void aDotSegmentCannotReachAPathThroughTheRouteOfAnotherPrefix() {
        engine.put(ResourceKind.ROUTES, "public", """
                {"uri": "/public/*", "plugins": {}}""");

        assertEquals("public", routeOf("/public/page"));
        for (String sneaky : List.of("/public/../admin", "/public/%2e%2e/admin", "/public/..%2Fadmin",
                "/public%2F..%2Fadmin", "/public/./../admin")) {
            assertNull(routeOf(sneaky), sneaky);
        }
        engine.put(ResourceKind.ROUTES, "admin", """
                {"uri": "/admin", "plugins": {}}""");
        assertEquals("admin", routeOf("/public/../admin"));
    }

    @Test
    void theUriVariableIsNormalizedWhileThePathStaysAsReceived() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/a/*", "plugins": {}}""");
        Call call = call("/a/./x/../b%20c?k=v%20w");
        try {
            Exchange exchange = call.exchange();
            assertEquals("/a/b c", exchange.var("uri"));
            assertEquals("/a/./x/../b%20c", exchange.request().path());
            assertEquals("/a/b c?k=v%20w", exchange.var("request_uri"));
            assertEquals("/a/./x/../b%20c?k=v%20w", exchange.var("real_request_uri"));
            assertEquals("/a/./x/../b%20c?k=v%20w", exchange.request().uri());
        } finally {
            call.complete();
        }
    }

    @Test
    void routeVarsAndPluginFiltersReadTheNormalizedUri() {
        engine.put(ResourceKind.ROUTES, "vars", """
                {"uri": "/v/*", "vars": [["uri", "==", "/v/c"]], "plugins": {}}""");
        engine.put(ResourceKind.ROUTES, "filtered", """
                {"uri": "/f/*", "plugins": {"alpha": {"_meta": {"filter": [["uri", "==", "/f/a b"]]}}}}""");

        assertEquals("vars", routeOf("/v/./b/../c"));
        assertEquals("vars", routeOf("//v//c"));
        assertNull(routeOf("/v/b"));

        Call call = call("/f/a%20b");
        try {
            assertTrue(call.runRequestPhases().proceeds());
            assertEquals(List.of("alpha@rewrite", "alpha@access"), call.exchange().attr(TestPlugins.TRACE));
        } finally {
            call.complete();
        }
    }

    @Test
    void aPathNginxRefusesIsAnswered400BeforeAnyPluginEvenAGlobalRule() {
        engine.put(ResourceKind.GLOBAL_RULES, "g", """
                {"plugins": {"alpha": {}}}""");
        engine.put(ResourceKind.ROUTES, "all", """
                {"uri": "/*", "plugins": {}}""");

        for (String bad : List.of("/a/../..", "/%2e%2e/etc/passwd", "/a%zz", "/a%00")) {
            Call call = call(bad);
            try {
                assertFalse(call.matched(), bad);
                Outcome outcome = call.runRequestPhases();
                assertFalse(outcome.proceeds(), bad);
                HttpResponse response = outcome.response();
                assertEquals(400, response.status(), bad);
                String body = new String(response.body(), StandardCharsets.UTF_8);
                assertTrue(body.startsWith("{\"error_msg\":\"400 Bad Request: path "), body);
                assertTrue(body.contains("(expected: "), body);
                call.localResponse(response);
                assertNull(call.exchange().attr(TestPlugins.TRACE), bad);
            } finally {
                call.complete();
            }
        }
    }

    @Test
    void aPluginChangingThePathChangesWhatGoesUpstreamButNotTheUriVariable() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/old", "plugins": {"path-setter": {}}}""");
        Call call = call("/old");
        try {
            assertTrue(call.runRequestPhases().proceeds());
            assertEquals("/new", call.exchange().request().path());
            assertEquals("/old", call.exchange().var("uri"));
        } finally {
            call.complete();
        }
    }

    /** Sets the path to /new in rewrite, as a rewriting plugin would. */
    static final class PathSetter extends SimplePluginFactory<PathSetter.Conf> {
        record Conf() {
        }

        PathSetter() {
            super("path-setter", 100, "{\"type\": \"object\"}", Conf.class);
        }

        @Override
        public Plugin create(Conf conf, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    exchange.request().path("/new");
                    return Outcome.proceed();
                }
            };
        }
    }
}
