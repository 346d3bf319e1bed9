package io.gatekit.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.gateway.faults.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who can reach and change the Admin API, over real sockets with the config as a user writes it:
 * not on the public port and on loopback only by default, a key on every request, viewer keys
 * read-only, {@code allow_admin} enforced, and a warning when the docs' example key is in use.
 * (The Admin API's own unit tests, AdminAccessTest, cover key lookup and CIDR matching in depth.)
 */
class AdminExposureTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String ADMIN = "s3cret-admin-key";
    private static final String VIEWER = "s3cret-viewer-key";
    private static final String ROUTE = "{\"uri\": \"/r\", \"upstream\": {\"nodes\": {\"127.0.0.1:1\": 1}}}";

    private static Gateway start(Path dir, String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
        return Gateway.start(ConfigLoader.load(file, w -> { }).withPorts(0, 0, 0), Engine.builder().discoverPlugins());
    }

    private static Gateway withKeys(Path dir, String allowAdmin) throws Exception {
        return start(dir, """
                deployment:
                  admin:
                    admin_key:
                      - {name: admin, key: %s, role: admin}
                      - {name: viewer, key: %s, role: viewer}
                %s""".formatted(ADMIN, VIEWER, allowAdmin == null ? "" : "    allow_admin: " + allowAdmin + "\n"));
    }

    private static Wire.Response admin(Gateway gateway, String method, String path, String key, String body)
            throws Exception {
        try (Wire wire = new Wire(gateway.adminPort(), DEADLINE)) {
            return key == null ? wire.request(method, path, body).read()
                    : wire.request(method, path, body, "X-API-KEY: " + key).read();
        }
    }

    @Test
    void byDefaultTheAdminApiListensOnLoopbackOnItsOwnPortAndNotOnThePublicOne(@TempDir Path dir) throws Exception {
        GatewayConfig defaults = ConfigLoader.load(Files.writeString(dir.resolve("empty.yaml"), "{}\n"), w -> { });
        assertEquals("127.0.0.1", defaults.adminHost());
        assertEquals(9180, defaults.adminPort());
        assertEquals(9080, defaults.nodePort());
        assertFalse(defaults.adminOnDataPort());

        try (Gateway gateway = start(dir, "{}\n")) {
            // the kernel's own view of the listening sockets: the admin one is bound to 127.0.0.1 only
            assertEquals("127.0.0.1", listeningAddress(gateway.adminPort()));
            try (Wire wire = new Wire(gateway.port(), DEADLINE)) {
                Wire.Response onDataPort = wire.get("/apisix/admin/routes", "x",
                        "X-API-KEY: " + GatewayConfig.EXAMPLE_ADMIN_KEY).read();
                assertEquals(404, onDataPort.status(), onDataPort.text());
            }
            assertEquals(200, admin(gateway, "GET", "/apisix/admin/routes", GatewayConfig.EXAMPLE_ADMIN_KEY, "")
                    .status());
        }
    }

    /** The local address a TCP socket listens on at {@code port}, from /proc/net/tcp and tcp6. */
    private static String listeningAddress(int port) throws Exception {
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                // fields: sl local_address rem_address st ...; state 0A is LISTEN
                if (fields.length > 3 && fields[1].endsWith(":" + hexPort) && fields[3].equals("0A")) {
                    String hex = fields[1].substring(0, fields[1].indexOf(':'));
                    if (hex.startsWith("0000000000000000FFFF0000")) {
                        hex = hex.substring(24); // an IPv4-mapped IPv6 address (a dual-stack socket)
                    } else if (hex.length() != 8) {
                        return "ipv6 " + hex;
                    }
                    // IPv4, little-endian
                    return Integer.parseInt(hex.substring(6, 8), 16) + "." + Integer.parseInt(hex.substring(4, 6), 16)
                            + "." + Integer.parseInt(hex.substring(2, 4), 16) + "." + Integer.parseInt(hex.substring(0, 2), 16);
                }
            }
        }
        throw new AssertionError("nothing listens on port " + port);
    }

    @Test
    void everyMethodWithoutAKeyOrWithAWrongOneGets401AndChangesNothing(@TempDir Path dir) throws Exception {
        try (Gateway gateway = withKeys(dir, null)) {
            assertEquals(201, admin(gateway, "PUT", "/apisix/admin/routes/1", ADMIN, ROUTE).status());
            for (String key : new String[] {null, "wrong-key", ADMIN + "x", ""}) {
                for (String method : List.of("GET", "PUT", "POST", "PATCH", "DELETE")) {
                    String path = method.equals("POST") ? "/apisix/admin/routes" : "/apisix/admin/routes/1";
                    String body = method.equals("GET") || method.equals("DELETE") ? "" : ROUTE.replace("/r", "/hijack");
                    Wire.Response response = admin(gateway, method, path, key, body);
                    assertEquals(401, response.status(), method + " with key " + key + ": " + response.text());
                }
            }
            Wire.Response route = admin(gateway, "GET", "/apisix/admin/routes/1", ADMIN, "");
            assertTrue(route.text().contains("\"/r\"") && !route.text().contains("hijack"), route.text());
            assertEquals(1, gateway.engine().list(io.gatekit.engine.ResourceKind.ROUTES).size(), "routes after the refused requests");
        }
    }

    @Test
    void aViewerKeyReadsEverythingAndCannotWriteWithAnyMethod(@TempDir Path dir) throws Exception {
        try (Gateway gateway = withKeys(dir, null)) {
            assertEquals(201, admin(gateway, "PUT", "/apisix/admin/routes/1", ADMIN, ROUTE).status());

            assertEquals(200, admin(gateway, "GET", "/apisix/admin/routes", VIEWER, "").status());
            assertEquals(200, admin(gateway, "GET", "/apisix/admin/routes/1", VIEWER, "").status());
            for (String method : List.of("PUT", "POST", "PATCH", "DELETE")) {
                String path = method.equals("POST") ? "/apisix/admin/routes" : "/apisix/admin/routes/1";
                String body = method.equals("DELETE") ? "" : ROUTE.replace("/r", "/hijack");
                Wire.Response response = admin(gateway, method, path, VIEWER, body);
                // APISIX: a viewer's write fails the token check, 401 "invalid method for role viewer"
                assertEquals(401, response.status(), method + ": " + response.text());
            }
            Wire.Response route = admin(gateway, "GET", "/apisix/admin/routes/1", ADMIN, "");
            assertTrue(route.text().contains("\"/r\"") && !route.text().contains("hijack"), route.text());
            assertEquals(1, gateway.engine().list(io.gatekit.engine.ResourceKind.ROUTES).size(), "routes after the viewer's writes");
        }
    }

    @Test
    void allowAdminRefusesAClientOutsideItsCidrsEvenWithTheRightKey(@TempDir Path dir) throws Exception {
        try (Gateway gateway = withKeys(dir, "[10.0.0.0/8, \"::2/128\"]")) {
            Wire.Response refused = admin(gateway, "GET", "/apisix/admin/routes", ADMIN, "");
            assertEquals(403, refused.status(), refused.text());
            assertEquals(403, admin(gateway, "PUT", "/apisix/admin/routes/1", ADMIN, ROUTE).status());
            assertEquals(0, gateway.engine().list(io.gatekit.engine.ResourceKind.ROUTES).size());
        }
    }

    @Test
    void allowAdminLetsAClientInsideItsCidrsReachTheKeyCheck(@TempDir Path dir) throws Exception {
        try (Gateway gateway = withKeys(dir, "[10.0.0.0/8, 127.0.0.1/32]")) {
            assertEquals(201, admin(gateway, "PUT", "/apisix/admin/routes/1", ADMIN, ROUTE).status());
            assertEquals(401, admin(gateway, "GET", "/apisix/admin/routes", "wrong-key", "").status());
        }
    }

    @Test
    void theDocsExampleKeyIsWarnedAboutAtStartAndAKeyOfOurOwnIsNot(@TempDir Path dir) throws Exception {
        Logger logger = Logger.getLogger(Gateway.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            try (Gateway gateway = start(dir, "{}\n")) {
                assertEquals(1, warnings(records), "warnings with the example key: " + records);
            }
            records.clear();
            try (Gateway gateway = withKeys(dir, null)) {
                assertEquals(0, warnings(records), "warnings with a key of our own: " + records);
            }
        } finally {
            logger.removeHandler(capture);
        }
    }

    private static long warnings(List<LogRecord> records) {
        return records.stream().filter(r -> r.getLevel().equals(java.util.logging.Level.WARNING)
                && r.getMessage().contains("deployment.admin.admin_key")).count();
    }
}
