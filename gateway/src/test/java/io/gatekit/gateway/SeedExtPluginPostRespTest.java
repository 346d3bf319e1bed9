package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ext-plugin-post-resp page of the APISIX docs, run verbatim with curl against the gateway
 * with a Plugin Runner it starts from {@code ext-plugin.cmd}: the runner's ext-plugin-A sees the
 * upstream's response and changes it, and the "disable" step takes effect at once.
 */
class SeedExtPluginPostRespTest {

    private static final String ENABLE = """
            curl -i http://127.0.0.1:9180/apisix/admin/routes/1  \\
            -H 'X-API-KEY: edd1c9f034335f136f87ad84b625c8f1' -X PUT -d '
            {
                "uri": "/index.html",
                "plugins": {
                    "ext-plugin-post-resp": {
                        "conf" : [
                            {"name": "ext-plugin-A", "value": "{\\"enable\\":\\"feature\\"}"}
                        ]
                    }
                },
                "upstream": {
                    "type": "roundrobin",
                    "nodes": {
                        "127.0.0.1:1980": 1
                    }
                }
            }'
            """;

    private static final String TEST = "curl -i http://127.0.0.1:9080/index.html";

    private static final String DISABLE = """
            curl http://127.0.0.1:9180/apisix/admin/routes/1  \\
            -H 'X-API-KEY: edd1c9f034335f136f87ad84b625c8f1' -X PUT -d '
            {
                "uri": "/index.html",
                "upstream": {
                    "type": "roundrobin",
                    "nodes": {
                        "127.0.0.1:1980": 1
                    }
                }
            }'
            """;

    @Test
    void theDocsCurlLinesWorkAsWrittenWithARunnerStartedFromExtPluginCmd(@TempDir Path dir) throws Exception {
        Shell.requireCurl();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                ext-plugin:
                  cmd: ["%s", "-cp", "%s", "io.gatekit.gateway.SeedRunnerMain"]
                """.formatted(javaBin, System.getProperty("java.class.path")));
        GatewayConfig gatewayConfig = ConfigLoader.load(config, w -> { }).withPorts(9080, 9180, 0);
        try (FixedPortUpstream upstream = new FixedPortUpstream(1980, "<html>index</html>\n");
                Gateway gateway = Gateway.start(gatewayConfig)) {
            Shell.Result enabled = Shell.run(ENABLE);
            assertTrue(enabled.output().startsWith("HTTP/1.1 201"), enabled.output());

            Shell.Result tested = Shell.run(TEST);
            assertTrue(tested.output().startsWith("HTTP/1.1 200 OK"), tested.output());
            assertTrue(tested.output().contains("X-Ext-Plugin-A: executed with {\"enable\":\"feature\"}"),
                    tested.output());
            // the runner's headers merge over the upstream's, so its Content-Type survives
            assertTrue(tested.output().toLowerCase(java.util.Locale.ROOT)
                    .contains("content-type: application/octet-stream"), tested.output());
            assertTrue(tested.output().endsWith("<html>index, seen by ext-plugin-A</html>\n"), tested.output());

            Shell.run(DISABLE);
            Shell.Result after = Shell.run(TEST);
            assertTrue(after.output().startsWith("HTTP/1.1 200 OK"), after.output());
            assertFalse(after.output().contains("X-Ext-Plugin-A"), after.output());
            assertTrue(after.output().endsWith("<html>index</html>\n"), after.output());
        }
    }
}
