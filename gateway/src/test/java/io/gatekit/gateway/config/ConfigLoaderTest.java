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
    void theTransportDefaultsToAutoAndAnUnknownOneFailsNamingTheKey(@TempDir Path dir) throws Exception {
        assertEquals("auto", ConfigLoader.defaults(w -> { }).transport());
        Path nio = Files.writeString(dir.resolve("nio.yaml"), "gatekit:\n  transport: nio\n");
        assertEquals("nio", ConfigLoader.load(nio, w -> { }).transport());
        Path file = Files.writeString(dir.resolve("config.yaml"), "gatekit:\n  transport: io_uring\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(file, w -> { }));

        assertEquals("gatekit.transport: io_uring (expected: auto, epoll or nio)", e.getMessage());
    }

    @Test
    void anAllowAdminEntryThatIsNoAddressFailsNamingTheEntry(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "deployment:\n  admin:\n    allow_admin:\n"
                + "      - 127.0.0.0/24\n      - localhost\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(file, w -> { }));

        assertEquals("deployment.admin.allow_admin[1]: \"localhost\" (expected: an IPv4 or IPv6 address or CIDR,"
                + " such as 127.0.0.1, 192.168.0.0/16, ::1 or fe80::/10)", e.getMessage());
    }

    @Test
    void aBadRoleFailsNamingTheEntry(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "deployment:\n  admin:\n    admin_key:\n"
                + "      - {name: a, key: k, role: root}\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(file, w -> { }));

        assertEquals("deployment.admin.admin_key[0].role: root (expected: admin or viewer)", e.getMessage());
    }

    @Test
    void etcdIsConfiguredWithApisixsDeploymentKeys(@TempDir Path dir) throws Exception {
        List<String> warnings = new ArrayList<>();
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                deployment:
                  role: traditional
                  role_traditional:
                    config_provider: etcd
                  etcd:
                    host:
                      - "http://10.0.0.1:2379"
                      - "https://10.0.0.2:2379"
                    prefix: /gateways/eu
                    timeout: 5
                """);

        GatewayConfig config = ConfigLoader.load(file, warnings::add);

        assertEquals(List.of(), warnings);
        assertEquals(List.of(java.net.URI.create("http://10.0.0.1:2379"), java.net.URI.create("https://10.0.0.2:2379")),
                config.etcd().hosts());
        assertEquals("/gateways/eu", config.etcd().prefix());
        assertEquals(Duration.ofSeconds(5), config.etcd().timeout());
        assertEquals(null, ConfigLoader.defaults(w -> { }).etcd(), "the default stays in memory");
    }

    @Test
    void etcdDefaultsToApisixsPrefixAndTimeout(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                deployment:
                  role_traditional: {config_provider: etcd}
                  etcd: {host: ["http://127.0.0.1:2379"]}
                """);

        GatewayConfig.Etcd etcd = ConfigLoader.load(file, w -> { }).etcd();

        assertEquals("/apisix", etcd.prefix());
        assertEquals(Duration.ofSeconds(30), etcd.timeout());
    }

    @Test
    void badEtcdSettingsFailNamingTheKeyAndTheExpectedForm(@TempDir Path dir) throws Exception {
        assertEquals("deployment.etcd.host: \"127.0.0.1:2379\" (expected: list of http(s) URLs, e.g. "
                + "[\"http://127.0.0.1:2379\"])", loadError(dir, "etcd: {host: \"127.0.0.1:2379\"}"));
        assertEquals("deployment.etcd.host: \"127.0.0.1:2379\" (expected: list of http(s) URLs with host and port, "
                + "e.g. http://127.0.0.1:2379)", loadError(dir, "etcd: {host: [\"127.0.0.1:2379\"]}"));
        assertEquals("deployment.etcd.prefix: apisix (expected: a key prefix such as /apisix, starting and not "
                + "ending with /)", loadError(dir, "etcd: {host: [\"http://a:1\"], prefix: apisix}"));
        assertEquals("deployment.etcd.timeout: 0 (expected: seconds > 0)",
                loadError(dir, "etcd: {host: [\"http://a:1\"], timeout: 0}"));
        assertEquals("deployment.role_traditional.config_provider: consul (expected: memory or etcd)",
                loadError(dir, "role_traditional: {config_provider: consul}"));
    }

    private static String loadError(Path dir, String deployment) throws Exception {
        String yaml = "deployment:\n  " + deployment + "\n";
        if (!deployment.startsWith("role_traditional")) {
            yaml += "  role_traditional: {config_provider: etcd}\n";
        }
        Path file = Files.writeString(dir.resolve("bad.yaml"), yaml);
        return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(file, w -> { })).getMessage();
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

    @Test
    void workerProcessesIsAutoByDefaultOrACountAsNginxReadsIt(@TempDir Path dir) throws Exception {
        assertEquals(0, ConfigLoader.defaults(w -> { }).workerProcesses());
        for (String count : List.of("4", "\"4\"")) {
            Path file = Files.writeString(dir.resolve("config.yaml"), "nginx_config:\n  worker_processes: " + count + "\n");

            assertEquals(4, ConfigLoader.load(file, w -> { throw new AssertionError("warned: " + w); }).workerProcesses());
        }
    }

    @Test
    void aWorkerProcessesValueOfTheWrongFormStopsStartUpNamingTheKey(@TempDir Path dir) throws Exception {
        for (String bad : List.of("0", "-2", "many", "1.5", "[1]", "2048")) {
            Path file = Files.writeString(dir.resolve("config.yaml"), "nginx_config:\n  worker_processes: " + bad + "\n");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConfigLoader.load(file, w -> { }));

            assertTrue(e.getMessage().startsWith("nginx_config.worker_processes: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("(expected: auto or a number of event loops from 1 to 1024)"),
                    e.getMessage());
        }
    }
}
