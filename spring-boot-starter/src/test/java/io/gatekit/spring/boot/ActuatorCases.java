package io.gatekit.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.WebApplicationType;

/**
 * The starter's Actuator parts in a real Spring Boot application, read over HTTP: the
 * {@code gatekit} endpoint lists the routes and explains requests, the {@code gatekit} health
 * shows the config in force, and the engine's metrics land in the application's MeterRegistry.
 * Run for MVC ({@link ActuatorMvcTest}) and WebFlux ({@link ActuatorWebFluxTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ActuatorCases {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebApplicationType type;
    private BootHost host;

    ActuatorCases(WebApplicationType type) {
        this.type = type;
    }

    @BeforeAll
    void start() {
        host = BootHost.start(type, TestPlugins.all(),
                "gatekit.config=classpath:gatekit/actuator.yaml",
                "management.endpoints.web.exposure.include=health,gatekit,metrics");
    }

    @AfterAll
    void stop() {
        host.close();
    }

    private JsonNode read(String path, int status) throws Exception {
        HttpResponse<String> response = Http.get(host.url(path));
        assertEquals(status, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void theEndpointListsTheRoutesInForce() throws Exception {
        JsonNode answer = read("/actuator/gatekit", 200);

        assertEquals("classpath:gatekit/actuator.yaml", answer.at("/config").asText());
        assertEquals(host.engine().version(), answer.at("/version").asLong());
        assertEquals(2, answer.at("/routes").size());
        assertEquals("stamped", answer.at("/routes/0/id").asText());
        assertEquals("/stamped/*", answer.at("/routes/0/value/uri").asText());
        assertTrue(answer.at("/routes/0/value/plugins/test-stamp").isObject());
        assertEquals("versioned", answer.at("/routes/1/id").asText());
    }

    @Test
    void explainNamesTheRouteThePluginsInOrderAndTheSkippedOnes() throws Exception {
        JsonNode answer = read("/actuator/gatekit/explain?uri=/stamped/a&method=GET", 200);

        assertTrue(answer.at("/matched").asBoolean());
        assertEquals("stamped", answer.at("/route_id").asText());
        assertEquals("test-stamp", answer.at("/phases/header_filter/0/name").asText());
        assertEquals("route", answer.at("/phases/header_filter/0/origin").asText());
        assertEquals(0, answer.at("/phases/access").size(), "the disabled plugin does not run");
        assertEquals("test-throw", answer.at("/skipped/0/name").asText());
        assertEquals("/stamped/a", answer.at("/request/uri").asText());
    }

    @Test
    void explainMatchesOnTheHeadersGiven() throws Exception {
        String header = URLEncoder.encode("X-Api-Version:v2", StandardCharsets.UTF_8);

        JsonNode with = read("/actuator/gatekit/explain?uri=/api/orders&header=X-Other:1&header=" + header, 200);
        JsonNode without = read("/actuator/gatekit/explain?uri=/api/orders", 200);

        assertEquals("versioned", with.at("/route_id").asText());
        assertFalse(without.at("/matched").asBoolean());
        assertTrue(without.at("/route_id").isNull());
    }

    @Test
    void explainRefusesARequestWithoutAPathNamingTheArgument() throws Exception {
        HttpResponse<String> noUri = Http.getAlone(host.url("/actuator/gatekit/explain"));
        HttpResponse<String> badHeader = Http.getAlone(host.url("/actuator/gatekit/explain?uri=/a&header=novalue"));
        HttpResponse<String> other = Http.getAlone(host.url("/actuator/gatekit/other"));

        assertEquals(400, noUri.statusCode(), noUri.body());
        assertEquals(400, badHeader.statusCode(), badHeader.body());
        assertEquals(404, other.statusCode(), other.body());
    }

    @Test
    void theHealthShowsTheConfigInForce() throws Exception {
        JsonNode health = read("/actuator/health/gatekit", 200);

        assertEquals("UP", health.at("/status").asText());
        assertEquals("classpath:gatekit/actuator.yaml", health.at("/details/config").asText());
        assertEquals(host.engine().version(), health.at("/details/version").asLong());
        assertEquals(2, health.at("/details/routes").asInt());
        assertTrue(health.at("/details/runner").isMissingNode(), "no runner configured");
    }

    @Test
    void theEnginesMetricsLandInTheApplicationsMeterRegistry() throws Exception {
        assertEquals(200, Http.get(host.url("/stamped/metrics")).statusCode());

        JsonNode timer = read("/actuator/metrics/gatekit.plugin.duration"
                + "?tag=plugin:test-stamp&tag=phase:header_filter", 200);
        JsonNode changes = read("/actuator/metrics/gatekit.config.changes?tag=result:applied", 200);

        assertTrue(timer.at("/measurements/0/value").asDouble() >= 1, timer.toString());
        assertTrue(changes.at("/measurements/0/value").asDouble() >= 1, changes.toString());
    }
}
