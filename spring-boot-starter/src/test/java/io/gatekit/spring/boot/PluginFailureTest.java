package io.gatekit.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatekit.testkit.host.HostSetup;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.WebApplicationType;

/**
 * A plugin that throws on a route that wraps the application (routes from a {@code classpath:}
 * config) fails only its own request, with 500, in a real MVC and a real WebFlux application: the
 * next request on the same route and connection pool reaches the application.
 */
class PluginFailureTest {

    @ParameterizedTest
    @EnumSource(value = WebApplicationType.class, names = {"SERVLET", "REACTIVE"})
    void aPluginThatThrowsFailsOnlyItsOwnRequest(WebApplicationType type) throws Exception {
        try (BootHost host = BootHost.start(type, TestPlugins.all(), "gatekit.config=classpath:gatekit/routes.yaml")) {
            HttpResponse<String> failed = Http.get(host.url("/wrapped/a"), "x-throw", "1");
            HttpResponse<String> next = Http.get(host.url("/wrapped/b"));
            HttpResponse<String> unrouted = Http.get(host.url("/plain"), "x-throw", "1");

            assertEquals(500, failed.statusCode());
            assertEquals(200, next.statusCode());
            assertEquals(HostSetup.applicationBody("GET", "/wrapped/b"), next.body());
            assertEquals("status 200", next.headers().firstValue("x-stamp").orElseThrow());
            assertEquals(200, unrouted.statusCode());
        }
    }
}
