package com.example.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.StandaloneConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The shop behind Gatekit, over real sockets: its routes wrap the servlets, proxy, or leave them alone. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShopApplicationTest {

    private HttpServer legacy;
    private ShopApplication shop;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        legacy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        legacy.createContext("/", exchange -> {
            byte[] body = ("legacy " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        legacy.start();
        Path routes = Files.writeString(dir.resolve("apisix.yaml"), """
                routes:
                  - id: catalog
                    uri: /api/*
                    plugins:
                      request-id:
                        header_name: X-Request-Id
                  - id: limited
                    uri: /api/limited/*
                    plugins:
                      limit-count:
                        count: 2
                        time_window: 60
                        key: remote_addr
                        rejected_code: 429
                  - id: legacy
                    uri: /legacy/*
                    upstream:
                      nodes:
                        "127.0.0.1:%d": 1
                #END
                """.formatted(legacy.getAddress().getPort()));
        shop = ShopApplication.start(new InetSocketAddress("127.0.0.1", 0), StandaloneConfig.file(routes));
    }

    @AfterAll
    void stop() throws Exception {
        shop.close();
        legacy.stop(0);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + shop.address().getPort() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCatalogAnswersThroughItsRoutesPlugins() throws Exception {
        HttpResponse<String> response = get("/api/products/7");

        assertEquals(200, response.statusCode());
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals("{\"id\": \"7\", \"name\": \"product 7\", \"request_id\": \"" + id + "\"}", response.body(),
                "the servlet sees the request id request-id set");
    }

    @Test
    void aRouteWithAnUpstreamIsProxiedThere() throws Exception {
        HttpResponse<String> response = get("/legacy/orders?page=2");

        assertEquals(200, response.statusCode());
        assertEquals("legacy /legacy/orders?page=2", response.body());
    }

    @Test
    void aPageNoRouteMatchesIsServedUntouched() throws Exception {
        HttpResponse<String> response = get("/");

        assertEquals(200, response.statusCode());
        assertEquals("welcome to the shop", response.body());
        assertTrue(response.headers().firstValue("X-Request-Id").isEmpty());
    }

    @Test
    void aRateLimitRefusesRequestsBeforeTheyReachTheServlet() throws Exception {
        List<Integer> statuses = List.of(get("/api/limited/x").statusCode(), get("/api/limited/x").statusCode(),
                get("/api/limited/x").statusCode());

        assertEquals(List.of(404, 404, 429), statuses, "the catalog has no such product; the third never gets there");
    }

    @Test
    void theBundledRoutesAreValid() throws Exception {
        try (ShopApplication bundled = ShopApplication.start(new InetSocketAddress("127.0.0.1", 0),
                StandaloneConfig.classpath("apisix.yaml"))) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + bundled.address().getPort() + "/api/products/1")).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("X-Request-Id").isPresent());
        }
    }

    @Test
    void anInvalidRouteKeepsTheShopFromStarting(@TempDir Path dir) throws Exception {
        Path routes = Files.writeString(dir.resolve("apisix.yaml"), """
                routes:
                  - id: catalog
                    uri: /api/*
                    plugins:
                      limit-count:
                        count: -1
                        time_window: 60
                """);

        ConfigException e = assertThrows(ConfigException.class,
                () -> ShopApplication.start(new InetSocketAddress("127.0.0.1", 0), StandaloneConfig.file(routes)));

        assertTrue(e.errorMsg().startsWith("failed to check the configuration of plugin limit-count err: "),
                e.errorMsg());
    }
}
