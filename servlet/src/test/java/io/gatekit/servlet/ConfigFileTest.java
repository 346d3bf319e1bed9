package io.gatekit.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.StandaloneConfig;
import io.gatekit.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filter whose routes come from an {@code apisix.yaml} it follows, in embedded Jetty: an invalid
 * route fails the start with APISIX's message, a bad change keeps the last good config and is
 * reported, a good one applies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigFileTest {

    private static final String ROUTES = """
            routes:
              - id: app
                uri: /stamped/*
                plugins:
                  test-stamp: {}
            #END
            """;
    /** APISIX's error_msg for a route whose uri is a number, as the gateway reports it too. */
    private static final String INVALID_URI = "invalid configuration: property \"uri\" validation failed: wrong"
            + " type: expected string, got number";

    private Path dir;
    private Path file;
    private Engine engine;
    private GatekitFilter filter;
    private ServletHost host;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path folder) throws Exception {
        dir = folder;
        file = Files.writeString(dir.resolve("apisix.yaml"), ROUTES);
        Engine.Builder builder = Engine.builder();
        TestPlugins.all().forEach(builder::plugin);
        engine = builder.build();
        filter = GatekitFilter.builder(engine).config(StandaloneConfig.file(file)).build();
        host = ServletHost.jetty((classes, context) -> {
            filter.register(context);
            TestServlets.addTo(context);
        }, 16);
    }

    @AfterAll
    void stop() throws Exception {
        host.close();
        engine.close();
    }

    private String stamp(String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + host.address().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.headers().firstValue("x-stamp").orElse("none");
    }

    @Test
    void routesComeFromTheFileAndABadChangeKeepsTheLastGoodOneAndIsReported() throws Exception {
        assertEquals("status 200", stamp("/stamped/a"));
        assertEquals("none", stamp("/other/a"));

        Files.writeString(file, "routes:\n  - id: app\n    uri: 7\n");
        Await.until("the bad file to be rejected", () -> filter.lastConfigRejection().isPresent());

        assertEquals(INVALID_URI, filter.lastConfigRejection().get().errorMsg());
        assertEquals("status 200", stamp("/stamped/a"), "the last good config stays in force");

        Files.writeString(file, ROUTES.replace("/stamped/*", "/other/*"));
        Await.until("the fixed file to clear the rejection", () -> filter.lastConfigRejection().isEmpty());

        assertEquals("status 200", stamp("/other/a"));
        assertEquals("none", stamp("/stamped/a"));
        Files.writeString(file, ROUTES);
        Await.until("the stamped route to answer again", () -> "status 200".equals(stamp("/stamped/a")));
    }

    @Test
    void anInvalidRouteFailsTheStartWithApisixsMessage() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "routes:\n  - id: 1\n    uri: 7\n");
        try (Engine other = Engine.builder().build()) {
            GatekitFilter.Builder builder = GatekitFilter.builder(other).config(StandaloneConfig.file(bad));

            ConfigException e = assertThrows(ConfigException.class, builder::build);

            assertEquals(INVALID_URI, e.errorMsg());
            assertTrue(other.list(io.gatekit.engine.ResourceKind.ROUTES).isEmpty());
        }
    }
}
