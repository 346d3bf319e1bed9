package io.gatekit.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.core.NestedExceptionUtils;

/**
 * {@code gatekit.plugins} and {@code gatekit.plugin-attr} in a real Spring Boot application: the
 * list limits the plugins routes may use, the attributes reach the plugin, and bad values fail the
 * start naming the property.
 */
class PluginPropertiesTest {

    private static final String ROUTE = "gatekit.config=classpath:gatekit/greeting.yaml";

    @Test
    void pluginAttributesReachThePlugin() throws Exception {
        try (BootHost host = BootHost.start(WebApplicationType.SERVLET, TestPlugins.all(), ROUTE,
                "gatekit.plugin-attr.test-attr={\"greeting\": \"hello from the properties\"}")) {
            assertEquals("hello from the properties",
                    Http.get(host.url("/greeting/a")).headers().firstValue("x-greeting").orElseThrow());
        }
    }

    @Test
    void thePluginListLimitsThePluginsRoutesMayUse() {
        try (BootHost host = BootHost.start(WebApplicationType.SERVLET, TestPlugins.all(),
                "gatekit.plugins=test-attr,proxy-mirror")) {
            Engine engine = host.engine();

            assertEquals(List.of("proxy-mirror", "test-attr"),
                    engine.plugins().stream().map(p -> p.name()).sorted().toList());
        }
    }

    @Test
    void anUnknownPluginInTheListFailsTheStartNamingTheProperty() {
        RuntimeException failed = assertThrows(RuntimeException.class, () -> BootHost.start(
                WebApplicationType.SERVLET, TestPlugins.all(), "gatekit.plugins=test-attr,no-such-plugin"));

        Throwable cause = failed;
        while (cause.getCause() != null && !String.valueOf(cause.getMessage()).startsWith("gatekit.plugins: ")) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().startsWith("gatekit.plugins: enabled plugin [no-such-plugin] is not registered"),
                cause.getMessage());
    }

    @Test
    void attributesThatAreNotAJsonObjectFailTheStartNamingTheProperty() {
        RuntimeException failed = assertThrows(RuntimeException.class, () -> BootHost.start(
                WebApplicationType.SERVLET, TestPlugins.all(), "gatekit.plugin-attr.test-attr=greeting: hi"));

        assertEquals("gatekit.plugin-attr.test-attr: greeting: hi (expected: a JSON object, e.g."
                + " {\"timeout\": {\"connect\": 2}})", NestedExceptionUtils.getMostSpecificCause(failed).getMessage());
    }
}
