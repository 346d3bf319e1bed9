package io.gatekit.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.engine.ConfigException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * {@code gatekit.config} as a file in a real Spring Boot MVC application: its routes serve, a change
 * applies, an invalid change keeps the last good config and shows in the {@code gatekit} health
 * over HTTP, and an invalid route fails the start with the gateway's APISIX-format message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatekitConfigTest {

    private static final String ROUTES = """
            routes:
              - id: app
                uri: /stamped/*
                plugins:
                  test-stamp: {}
            #END
            """;
    /** APISIX's error_msg for a route whose uri is a number, as the gateway and the servlet filter report it. */
    private static final String INVALID_URI = "invalid configuration: property \"uri\" validation failed: wrong"
            + " type: expected string, got number";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;
    private Path file;
    private BootHost host;

    @BeforeAll
    void start(@TempDir Path folder) throws Exception {
        dir = folder;
        file = Files.writeString(dir.resolve("apisix.yaml"), ROUTES);
        host = BootHost.start(WebApplicationType.SERVLET, TestPlugins.all(), "gatekit.config=file:" + file);
    }

    @AfterAll
    void stop() {
        host.close();
    }

    private String stamp(String path) throws Exception {
        HttpResponse<String> response = Http.get(host.url(path));
        assertEquals(200, response.statusCode());
        return response.headers().firstValue("x-stamp").orElse("none");
    }

    private JsonNode health() throws Exception {
        HttpResponse<String> response = Http.get(host.url("/actuator/health/gatekit"));
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void aChangedFileAppliesAndABadChangeKeepsTheLastGoodConfigAndShowsInTheHealth() throws Exception {
        assertEquals("status 200", stamp("/stamped/a"));
        assertEquals("none", stamp("/other/a"));
        long version = health().at("/details/version").asLong();
        assertEquals("UP", health().at("/status").asText());
        assertTrue(health().at("/details/lastRejection").isMissingNode());

        Files.writeString(file, "routes:\n  - id: app\n    uri: 7\n");
        Http.await(() -> !health().at("/details/lastRejection").isMissingNode());

        JsonNode rejected = health();
        assertEquals("UP", rejected.at("/status").asText(), "the last good config still serves");
        assertEquals(INVALID_URI, rejected.at("/details/lastRejection/error_msg").asText());
        assertEquals("/routes/0/uri", rejected.at("/details/lastRejection/violations/0/pointer").asText());
        assertEquals(version, rejected.at("/details/version").asLong());
        assertEquals("status 200", stamp("/stamped/a"), "the last good config stays in force");

        Files.writeString(file, ROUTES.replace("/stamped/*", "/other/*"));
        Http.await(() -> health().at("/details/lastRejection").isMissingNode());

        assertTrue(health().at("/details/version").asLong() > version);
        assertEquals("status 200", stamp("/other/a"));
        assertEquals("none", stamp("/stamped/a"));
        Files.writeString(file, ROUTES);
        Http.await(() -> "status 200".equals(stamp("/stamped/a")));
    }

    @Test
    void anInvalidRouteFailsTheStartWithTheGatewaysApisixMessage() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "routes:\n  - id: 1\n    uri: 7\n");

        RuntimeException failed = assertThrows(RuntimeException.class, () -> BootHost.start(
                WebApplicationType.SERVLET, TestPlugins.all(), "gatekit.config=file:" + bad));

        Throwable cause = NestedExceptionUtils.getMostSpecificCause(failed);
        ConfigException rejected = assertInstanceOf(cause);
        assertEquals(INVALID_URI, rejected.errorMsg());
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test",
                java.util.Map.of("gatekit.config", "file:" + bad)));
        FailureAnalysis report = new ConfigFailureAnalyzer(environment).analyze(failed);
        assertEquals("file:" + bad + ": " + INVALID_URI, report.getDescription());
        assertTrue(report.getAction().contains("/routes/0/uri"), report.getAction());
    }

    @Test
    void aConfigLocationThatDoesNotExistFailsTheStartNamingTheProperty() {
        RuntimeException failed = assertThrows(RuntimeException.class, () -> BootHost.start(
                WebApplicationType.SERVLET, List.of(), "gatekit.config=classpath:no-such.yaml"));

        String message = NestedExceptionUtils.getMostSpecificCause(failed).getMessage();
        assertEquals("gatekit.config: classpath:no-such.yaml (expected: a class path resource, e.g."
                + " classpath:apisix.yaml)", message);
    }

    private static ConfigException assertInstanceOf(Throwable cause) {
        return org.junit.jupiter.api.Assertions.assertInstanceOf(ConfigException.class, cause);
    }
}
