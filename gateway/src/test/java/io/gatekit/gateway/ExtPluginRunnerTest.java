package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtPluginRunnerTest {

    @Test
    void aRunnerStartedByHandIsHandedToTheThreeExtPluginsKeepingTheUsersOwnAttributes(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                ext-plugin:
                  path_for_test: /tmp/runner-by-hand.sock
                plugin_attr:
                  ext-plugin-post-resp:
                    read_timeout: 5
                """);
        GatewayConfig config = ConfigLoader.load(file, w -> { });

        try (ExtPluginRunner runner = ExtPluginRunner.start(config)) {
            Map<String, String> attributes = runner.pluginAttributes(config.pluginAttributes());

            assertEquals("{\"socket_path\":\"/tmp/runner-by-hand.sock\"}", attributes.get("ext-plugin-pre-req"));
            assertEquals("{\"socket_path\":\"/tmp/runner-by-hand.sock\"}", attributes.get("ext-plugin-post-req"));
            assertEquals("{\"read_timeout\":5,\"socket_path\":\"/tmp/runner-by-hand.sock\"}",
                    attributes.get("ext-plugin-post-resp"));
        }
    }

    @Test
    void withoutARunnerTheAttributesAreLeftAlone() {
        GatewayConfig config = ConfigLoader.defaults(w -> { });

        try (ExtPluginRunner runner = ExtPluginRunner.start(config)) {
            assertNull(runner.socket());
            assertNull(runner.pluginAttributes(config.pluginAttributes()).get("ext-plugin-pre-req"));
        }
    }
}
