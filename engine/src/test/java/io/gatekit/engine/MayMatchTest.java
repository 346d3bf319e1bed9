package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Engine#mayMatch}: a cheap "no route can match this path", never wrong in that direction. */
class MayMatchTest {

    private Engine engine;

    @BeforeEach
    void startEngine() {
        engine = Engine.builder().build();
        engine.put(ResourceKind.ROUTES, "exact", """
                {"uri": "/exact", "methods": ["POST"], "upstream": {"nodes": {"127.0.0.1:1980": 1}}}""");
        engine.put(ResourceKind.ROUTES, "prefix", """
                {"uri": "/api/*", "hosts": ["api.example"], "upstream": {"nodes": {"127.0.0.1:1980": 1}}}""");
        engine.put(ResourceKind.ROUTES, "param", """
                {"uri": "/user/:id/profile", "upstream": {"nodes": {"127.0.0.1:1980": 1}}}""");
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void aPathNoRouteUriMatchesMayNotMatch() {
        for (String path : List.of("/", "/other", "/exact/more", "/apix", "/user/7", "/user/7/settings")) {
            assertFalse(engine.mayMatch(path), path);
            assertFalse(engine.newCall(HttpRequest.builder().method("POST").path(path)
                    .header("Host", "api.example").build()).matched(), path);
        }
    }

    @Test
    void aPathSomeRouteUriMatchesMayMatchWhateverTheOtherConditions() {
        assertTrue(engine.mayMatch("/exact"), "the route only takes POST; the path alone may match");
        assertTrue(engine.mayMatch("/api/orders"), "the route only takes one host");
        assertTrue(engine.mayMatch("/user/7/profile"));
    }

    @Test
    void thePathIsNormalizedAsTheRouterSeesIt() {
        assertTrue(engine.mayMatch("/public/../api/x"));
        assertTrue(engine.mayMatch("/api//x"));
        assertTrue(engine.mayMatch("/%61pi/x"));
        assertFalse(engine.mayMatch("/api/../other"));
        assertFalse(engine.mayMatch("/%zz"), "a path nginx refuses matches no route");
    }

    @Test
    void aChangeOfConfigIsSeenAtOnce() {
        assertFalse(engine.mayMatch("/new"));

        engine.put(ResourceKind.ROUTES, "new", """
                {"uri": "/new", "upstream": {"nodes": {"127.0.0.1:1980": 1}}}""");

        assertTrue(engine.mayMatch("/new"));
    }
}
