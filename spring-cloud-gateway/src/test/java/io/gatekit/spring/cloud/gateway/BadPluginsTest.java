package io.gatekit.spring.cloud.gateway;

import static io.gatekit.spring.cloud.gateway.GatewayApp.ROUTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Spring Cloud Gateway application whose {@code Gatekit} filter holds bad plugins does not start:
 * it fails with APISIX's message naming the plugin and the field, as the gateway's Admin API would
 * answer, and names the SCG route.
 */
class BadPluginsTest {

    private static Throwable startFailure(String... filter) {
        List<String> properties = new java.util.ArrayList<>(List.of(ROUTES + "[0].id=orders",
                ROUTES + "[0].uri=http://127.0.0.1:9", ROUTES + "[0].predicates[0]=Path=/orders/**"));
        properties.addAll(List.of(filter));
        Throwable failure = assertThrows(Throwable.class,
                () -> GatewayApp.start(TestPlugins.all(), properties.toArray(String[]::new)).close());
        while (failure.getCause() != null && !(failure instanceof IllegalArgumentException)) {
            failure = failure.getCause();
        }
        return failure;
    }

    @Test
    void anInvalidPluginConfigFailsTheStartWithApisixMessage() {
        Throwable failure = startFailure(ROUTES + "[0].filters[0].name=Gatekit",
                ROUTES + "[0].filters[0].args.plugins={\"proxy-mirror\": {\"host\": \"ftp://mirror\"}}");

        assertTrue(failure.getMessage().startsWith("Gatekit filter of route orders: plugins: failed to check the"
                + " configuration of plugin proxy-mirror err: property \"host\" validation failed"), failure.getMessage());
    }

    @Test
    void anUnknownPluginFailsTheStart() {
        Throwable failure = startFailure(ROUTES + "[0].filters[0]=Gatekit={\"no-such-plugin\": {}}");

        assertEquals("Gatekit filter of route orders: plugins: unknown plugin [no-such-plugin]", failure.getMessage());
    }

    @Test
    void aShortcutCutAtItsFirstCommaFailsTheStartSayingWhere() {
        Throwable failure = startFailure(
                ROUTES + "[0].filters[0]=Gatekit={\"test-stamp\": {\"tag\": \"a\"}, \"test-throw\": {}}");

        assertTrue(failure.getMessage().startsWith("plugins: {\"test-stamp\": {\"tag\": \"a\"} (expected: the JSON"
                + " object of an APISIX route's plugins"), failure.getMessage());
        assertTrue(failure.getMessage().contains("put JSON with commas under args.plugins"), failure.getMessage());
    }

    @Test
    void twoGatekitFiltersOnOneRouteFailTheStart() {
        Throwable failure = startFailure(ROUTES + "[0].filters[0]=Gatekit={\"test-stamp\": {\"tag\": \"a\"}}",
                ROUTES + "[0].filters[1]=Gatekit={\"test-throw\": {}}");

        assertEquals("route orders: 2 Gatekit filters (expected: one, holding all of the route's plugins; the global"
                + " rules run once per request)", failure.getMessage());
    }
}
