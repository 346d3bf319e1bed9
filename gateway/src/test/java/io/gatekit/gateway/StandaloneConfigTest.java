package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routes from an apisix.yaml-style file, reloaded on change; a bad file keeps the last good config. */
class StandaloneConfigTest {

    private static GatewayConfig withRoutesFile(Path routes) {
        GatewayConfig d = ConfigLoader.defaults(w -> { });
        return new GatewayConfig(d.nodeHost(), 0, d.adminHost(), 0, d.adminKeys(), d.allowAdmin(), null,
                d.pluginAttributes(), null, null, d.prometheusHost(), 0, routes, 0, d.bodyBufferLimit(),
                d.maxHeaderSize(), d.upstreamConnectTimeout(), d.upstreamSendTimeout(), d.upstreamReadTimeout(), false,
                d.clientHeaderTimeout(), d.keepaliveTimeout(), d.clientBodyTimeout(), null, d.tls(),
                d.operations(), d.transport(), d.workerProcesses()).withPorts(0, 0, 0); // TLS and control API on free ports too
    }

    private static void awaitTrue(Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    private static int status(Gateway gateway, String path) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.get(path, "a").read().status();
        }
    }

    @Test
    void routesComeFromTheFileAndFollowItsChanges(@TempDir Path dir) throws Exception {
        try (TestUpstream upstream = new TestUpstream("one")) {
            Path routes = Files.writeString(dir.resolve("apisix.yaml"), """
                    routes:
                      - id: 1
                        uri: /one
                        upstream:
                          nodes:
                            "%s": 1
                    #END
                    """.formatted(upstream.address()));
            try (Gateway gateway = Gateway.start(withRoutesFile(routes), Engine.builder())) {
                assertEquals(200, status(gateway, "/one"));
                long version = gateway.engine().version();

                Files.writeString(routes, Files.readString(routes).replace("/one", "/two"));
                awaitTrue(() -> gateway.engine().version() > version);
                assertEquals(404, status(gateway, "/one"));
                assertEquals(200, status(gateway, "/two"));

                long good = gateway.engine().version();
                var rejected = gateway.engine().metrics().counter("gatekit_config_changes_total", "result",
                        "rejected");
                Files.writeString(routes, "routes:\n  - id: 1\n    uri: 7\n    upstream_id: none\n");
                awaitTrue(() -> rejected.count() == 1);
                assertEquals(good, gateway.engine().version());
                assertEquals(200, status(gateway, "/two"));
            }
        }
    }

    @Test
    void anInvalidFileAtStartUpFailsTheStart(@TempDir Path dir) throws Exception {
        Path routes = Files.writeString(dir.resolve("apisix.yaml"), "routes:\n  - id: 1\n    uri: 7\n");

        assertThrows(RuntimeException.class, () -> Gateway.start(withRoutesFile(routes), Engine.builder()));
    }

    @Test
    void adminApiWritesAreRefusedBecauseTheFileIsTheConfig(@TempDir Path dir) throws Exception {
        Path routes = Files.writeString(dir.resolve("apisix.yaml"), "routes: []\n#END\n");
        try (Gateway gateway = Gateway.start(withRoutesFile(routes), Engine.builder())) {
            var http = java.net.http.HttpClient.newHttpClient();
            var put = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + gateway.adminPort() + "/apisix/admin/routes/1"))
                    .header("X-API-KEY", GatewayConfig.EXAMPLE_ADMIN_KEY)
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"uri\": \"/x\", \"upstream\": "
                            + "{\"nodes\": {\"127.0.0.1:1980\": 1}}}"))
                    .build();

            var response = http.send(put, java.net.http.HttpResponse.BodyHandlers.ofString());

            assertEquals(405, response.statusCode(), response.body());
            assertTrue(response.body().contains("apisix.yaml (standalone mode)"), response.body());
            assertTrue(gateway.engine().list(io.gatekit.engine.ResourceKind.ROUTES).isEmpty());
        }
    }
}
