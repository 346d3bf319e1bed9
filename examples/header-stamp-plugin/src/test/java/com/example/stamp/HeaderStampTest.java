package com.example.stamp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import org.junit.jupiter.api.Test;

/** The example plugin, found by ServiceLoader as users ship it, stamps request and response. */
class HeaderStampTest {

    @Test
    void isFoundByServiceLoaderAndStampsBothWays() {
        try (Engine engine = Engine.builder().discoverPlugins().build()) {
            engine.put(ResourceKind.ROUTES, "1", """
                    {"uri": "/hello", "plugins": {"header-stamp": {"name": "x-stamp", "value": "gatekit"}}}""");

            Call call = engine.newCall(HttpRequest.builder().uri("/hello").build());
            Outcome outcome = call.runRequestPhases();
            call.upstreamResponse(HttpResponse.of(200));
            call.complete();

            assertTrue(outcome.proceeds());
            assertEquals("gatekit", call.exchange().request().headers().get("x-stamp"));
            assertEquals("gatekit", call.exchange().response().headers().get("x-stamp"));
        }
    }

    @Test
    void rejectsAHeaderNameWithSpaces() {
        try (Engine engine = Engine.builder().discoverPlugins().build()) {
            ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1", """
                    {"uri": "/hello", "plugins": {"header-stamp": {"name": "x stamp", "value": "v"}}}"""));

            assertEquals("/plugins/header-stamp/name", e.violations().get(0).pointer());
            assertTrue(e.errorMsg().startsWith("failed to check the configuration of plugin header-stamp err: "),
                    e.errorMsg());
        }
    }
}
