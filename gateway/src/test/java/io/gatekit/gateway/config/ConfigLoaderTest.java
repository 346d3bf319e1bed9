package io.gatekit.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void theDefaultsListenWhereApisixDoesAndFlagTheExampleKey() {
        GatewayConfig config = ConfigLoader.defaults(w -> { });

        assertEquals(9080, config.nodePort());
        assertEquals("127.0.0.1", config.adminHost());
        assertEquals(9180, config.adminPort());
        assertEquals(9091, config.prometheusPort());
        assertTrue(config.defaultAdminKeyInUse());
        assertEquals(Duration.ofSeconds(60), config.upstreamReadTimeout());
    }

    @Test
    void aUserFileIsMergedOverTheDefaultsWithApisixKeyNames(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                apisix:
                  node_listen: 9080
                deployment:
                  admin:
                    admin_listen:
                      port: 9080
                    admin_key:
                      - name: ops
                        key: s3cret
                        role: admin
                      - name: look
                        key: peek
                        role: viewer
                plugins: [proxy-mirror]
                plugin_attr:
                  proxy-mirror:
                    timeout: {connect: 2, read: 3, send: 4}
                ext-plugin:
                  cmd: ["java", "-jar", "runner.jar"]
                nginx_config:
                  http:
                    client_max_body_size: 1m
                """);

        GatewayConfig config = ConfigLoader.load(file, w -> { });

        assertTrue(config.adminOnDataPort());
        assertEquals("127.0.0.1", config.adminHost());
        assertEquals(List.of("ops", "look"), config.adminKeys().stream().map(GatewayConfig.AdminKey::name).toList());
        assertEquals("viewer", config.adminKeys().get(1).role());
        assertEquals(List.of("proxy-mirror"), config.enabledPlugins());
        assertEquals("{\"timeout\":{\"connect\":2,\"read\":3,\"send\":4}}", config.pluginAttributes().get("proxy-mirror"));
        assertEquals(List.of("java", "-jar", "runner.jar"), config.extPluginCmd());
        assertEquals(1024 * 1024, config.clientMaxBodySize());
        assertEquals(false, config.defaultAdminKeyInUse());
    }

    @Test
    void unknownKeysWarnWithTheirPath(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "apisix:\n  node_lisen: 1\nfoo: bar\n");
        List<String> warnings = new ArrayList<>();

        ConfigLoader.load(file, warnings::add);

        assertEquals(List.of("unknown config key 'apisix.node_lisen' is ignored", "unknown config key 'foo' is ignored"),
                warnings);
    }

    @Test
    void aBadValueFailsNamingTheKeyAndTheExpectedForm(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "deployment:\n  admin:\n    admin_listen:\n"
                + "      port: ninety\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(file, w -> { }));

        assertEquals("deployment.admin.admin_listen.port: \"ninety\" (expected: a port number 1..65535)", e.getMessage());
    }

    @Test
    void aBadRoleFailsNamingTheEntry(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "deployment:\n  admin:\n    admin_key:\n"
                + "      - {name: a, key: k, role: root}\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(file, w -> { }));

        assertEquals("deployment.admin.admin_key[0].role: root (expected: admin or viewer)", e.getMessage());
    }
    @Test
    void clientTimeoutsTakeNginxNamesAndFormsAndDefaultToNginxsSixtySeconds(@TempDir Path dir) throws Exception {
        GatewayConfig defaults = ConfigLoader.defaults(w -> { });
        assertEquals(Duration.ofSeconds(60), defaults.clientHeaderTimeout());
        assertEquals(Duration.ofSeconds(60), defaults.clientBodyTimeout());
        assertEquals(Duration.ofSeconds(60), defaults.keepaliveTimeout());
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                nginx_config:
                  http:
                    client_header_timeout: 5s
                    client_body_timeout: 500ms
                    keepalive_timeout: 2m
                """);

        GatewayConfig config = ConfigLoader.load(file, w -> { throw new AssertionError("warned: " + w); });

        assertEquals(Duration.ofSeconds(5), config.clientHeaderTimeout());
        assertEquals(Duration.ofMillis(500), config.clientBodyTimeout());
        assertEquals(Duration.ofMinutes(2), config.keepaliveTimeout());
    }

    @Test
    void aClientTimeoutOfTheWrongFormStopsStartUpNamingTheKey(@TempDir Path dir) throws Exception {
        for (String bad : List.of("0", "-1s", "soon", "[1]", "1h")) {
            Path file = Files.writeString(dir.resolve("config.yaml"),
                    "nginx_config:\n  http:\n    client_header_timeout: " + bad + "\n");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConfigLoader.load(file, w -> { }));

            assertTrue(e.getMessage().startsWith("nginx_config.http.client_header_timeout: "), e.getMessage());
            assertTrue(e.getMessage().contains("(expected: a time > 0"), e.getMessage());
        }
    }
}
