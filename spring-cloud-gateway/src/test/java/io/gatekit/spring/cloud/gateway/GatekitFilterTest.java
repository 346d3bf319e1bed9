package io.gatekit.spring.cloud.gateway;

import static io.gatekit.spring.cloud.gateway.GatewayApp.ROUTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.ResourceKind;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;

/**
 * The {@code Gatekit} filter in a real Spring Cloud Gateway 4.3 application (started once) on a
 * random port, with a real upstream and a real mirror server: each form of its {@code plugins}
 * argument, {@code proxy-mirror} through Gatekit while SCG forwards, a throwing plugin, and the
 * {@code global_rules} of {@code gatekit.config} on every route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatekitFilterTest {

    private RecordingServer upstream;
    private RecordingServer mirror;
    private GatewayApp gateway;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        upstream = RecordingServer.start("upstream");
        mirror = RecordingServer.start("mirror");
        Path config = Files.writeString(dir.resolve("apisix.yaml"), """
                global_rules:
                  - id: stamp
                    plugins:
                      test-stamp:
                        tag: global
                #END
                """);
        List<Object> beans = new ArrayList<>(TestPlugins.all());
        // marks every request of SCG's own HttpClient: the mirror copies must carry it too
        beans.add((HttpClientCustomizer) client -> client.headers(headers -> headers.set("X-Scg-Client", "gateway")));
        gateway = GatewayApp.start(beans,
                "gatekit.config=" + config,
                "gatekit.cloud-gateway.global-rules=true",
                ROUTES + "[0].id=json",
                ROUTES + "[0].uri=" + upstream.url(),
                ROUTES + "[0].predicates[0]=Path=/json/**",
                ROUTES + "[0].filters[0].name=Gatekit",
                ROUTES + "[0].filters[0].args.plugins={\"proxy-mirror\": {\"host\": \"" + mirror.url() + "\"}}",
                ROUTES + "[1].id=yaml",
                ROUTES + "[1].uri=" + upstream.url(),
                ROUTES + "[1].predicates[0]=Path=/yaml/**",
                ROUTES + "[1].filters[0].name=Gatekit",
                ROUTES + "[1].filters[0].args.plugins.proxy-mirror.host=" + mirror.url(),
                ROUTES + "[1].filters[0].args.plugins.test-stamp.tag=yaml",
                ROUTES + "[1].filters[0].args.plugins.test-stamp.times=2",
                ROUTES + "[1].filters[0].args.plugins.test-stamp._meta.disable=false",
                ROUTES + "[2].id=shortcut",
                ROUTES + "[2].uri=" + upstream.url(),
                ROUTES + "[2].predicates[0]=Path=/shortcut/**",
                ROUTES + "[2].filters[0]=Gatekit={\"test-stamp\": {\"tag\": \"shortcut\"}}",

                ROUTES + "[3].id=plain",
                ROUTES + "[3].uri=" + upstream.url(),
                ROUTES + "[3].predicates[0]=Path=/plain/**",
                ROUTES + "[4].id=throwing",
                ROUTES + "[4].uri=" + upstream.url(),
                ROUTES + "[4].predicates[0]=Path=/throwing/**",
                ROUTES + "[4].filters[0].name=Gatekit",
                ROUTES + "[4].filters[0].args.plugins={\"test-throw\": {}, \"test-stamp\": {\"tag\": \"t\"}, \"test-log\": {}}",
                ROUTES + "[5].id=refused",
                ROUTES + "[5].uri=http://127.0.0.1:" + deadPort(),
                ROUTES + "[5].predicates[0]=Path=/refused/**",
                ROUTES + "[5].filters[0]=Gatekit={\"test-log\": {}}");
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        mirror.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
        mirror.reset();
    }

    @Test
    void pluginsAsJsonTextMirrorEachRequestSpringCloudGatewayForwards() throws Exception {
        HttpResponse<String> response = gateway.get("/json/orders?page=2");

        assertEquals(200, response.statusCode());
        assertEquals("upstream GET /json/orders?page=2", response.body());
        await(() -> !mirror.received().isEmpty(), "the mirror got no copy");
        assertEquals("/json/orders?page=2", mirror.received().get(0).uri());
        assertEquals(1, upstream.received().size());
    }

    @Test
    void mirrorCopiesTravelOnSpringCloudGatewaysOwnHttpClient() throws Exception {
        assertEquals(200, gateway.get("/json/copied").statusCode());

        await(() -> !mirror.received().isEmpty(), "the mirror got no copy");
        assertEquals("gateway", mirror.received().get(0).header("X-Scg-Client"),
                "the copy went out on the HttpClient bean SCG forwards with (its customizers applied)");
        assertEquals("gateway", upstream.received().get(0).header("X-Scg-Client"));
    }

    @Test
    void pluginsAsAYamlMapReachTheSchemasTypedAsTheirJsonWould() throws Exception {
        HttpResponse<String> response = gateway.get("/yaml/orders");

        assertEquals(200, response.statusCode());
        assertEquals(List.of("global", "yaml", "yaml"), response.headers().allValues("x-stamp"),
                "times: 2 reached the plugin as a number");
        assertEquals("global", upstream.received().get(0).headers().get("X-stamped").get(0));
        await(() -> !mirror.received().isEmpty(), "the mirror got no copy");
        assertEquals("/yaml/orders", mirror.received().get(0).uri());
    }

    @Test
    void theShortcutFormTakesTheWholeJsonWithItsCommas() throws Exception {
        HttpResponse<String> response = gateway.get("/shortcut/a");

        assertEquals(200, response.statusCode());
        assertEquals(List.of("global", "shortcut"), response.headers().allValues("x-stamp"));
        assertEquals(List.of("global", "shortcut"), upstream.received().get(0).headers().get("X-stamped"));
    }

    @Test
    void aPluginThatThrowsFailsOnlyItsOwnRequest() throws Exception {
        CompletableFuture<HttpResponse<String>> thrown = CompletableFuture.supplyAsync(() -> call("/throwing/t", "x-throw", "1"));
        CompletableFuture<HttpResponse<String>> fine = CompletableFuture.supplyAsync(() -> call("/throwing/f"));

        assertEquals(500, thrown.get().statusCode());
        assertTrue(thrown.get().body().contains("500 Internal Server Error"), thrown.get().body());
        assertEquals(200, fine.get().statusCode());
        assertEquals("upstream GET /throwing/f", fine.get().body());
        assertEquals(List.of("global", "t"), fine.get().headers().allValues("x-stamp"));
        assertEquals(List.of("/throwing/f"), upstream.received().stream().map(RecordingServer.Received::uri).toList(),
                "the failed request never reached the upstream");
        assertEquals(200, gateway.get("/throwing/after").statusCode());
    }

    @Test
    void theGlobalRulesOfGatekitConfigRunOnARouteWithoutTheFilterAndOnceOnARouteWithIt() throws Exception {
        HttpResponse<String> plain = gateway.get("/plain/p");
        HttpResponse<String> filtered = gateway.get("/json/p");

        assertEquals("upstream GET /plain/p", plain.body());
        assertEquals(List.of("global"), plain.headers().allValues("x-stamp"));
        assertEquals(List.of("global"), filtered.headers().allValues("x-stamp"));
        assertEquals("global", upstream.received().get(0).header("x-stamped"));
    }

    @Test
    void aRouteKeepsItsPluginsWhenTheConfigIsReplacedWhole() throws Exception {
        gateway.engine().replaceAll("""
                {"global_rules": [{"id": "stamp", "plugins": {"test-stamp": {"tag": "reloaded"}}}]}""");
        try {
            HttpResponse<String> response = gateway.get("/shortcut/r");

            assertEquals(List.of("reloaded", "shortcut"), response.headers().allValues("x-stamp"));
            assertTrue(gateway.engine().get(ResourceKind.ROUTES, "scg.shortcut").isPresent());
        } finally {
            gateway.engine().replaceAll("""
                    {"global_rules": [{"id": "stamp", "plugins": {"test-stamp": {"tag": "global"}}}]}""");
        }
    }

    @Test
    void logRunsOnceOnEveryPathOfARequest() throws Exception {
        HttpResponse<String> ok = gateway.get("/throwing/ok", "x-id", "ok");
        HttpResponse<String> thrown = gateway.get("/throwing/thrown", "x-id", "thrown", "x-throw", "1");
        HttpResponse<String> refused = gateway.get("/refused/r", "x-id", "refused");

        assertEquals(200, ok.statusCode());
        assertEquals(500, thrown.statusCode());
        assertTrue(refused.statusCode() >= 500, "SCG could not reach the upstream: " + refused.statusCode());
        for (String id : List.of("ok", "thrown", "refused")) {
            await(() -> TestPlugins.LOGS.containsKey(id), "log never ran for " + id);
            assertEquals(1, TestPlugins.LOGS.get(id), id);
        }
    }

    /** A port on 127.0.0.1 nothing listens on: bound, then released. */
    private static int deadPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> call(String path, String... headers) {
        try {
            return gateway.get(path, headers);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for {@code condition}, polling; fails after 10 s. */
    static void await(java.util.function.BooleanSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(message);
            }
            Thread.sleep(5); // polling a condition, not waiting for time to pass
        }
    }
}
