package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.nio.file.Files;
import io.gatekit.runner.internal.UnixSockets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    void withCmdAndPathForTestTheRunnerIsToldToListenOnThatPathAndThePluginsConnectThereAsInApisix(
            @TempDir Path dir) throws Exception {
        Path socket = dir.resolve("fixed.sock");
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                ext-plugin:
                  cmd: ["%s", "-cp", "%s", "io.gatekit.gateway.SeedRunnerMain"]
                  path_for_test: %s
                """.formatted(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), socket));
        List<String> warnings = new ArrayList<>();
        GatewayConfig config = ConfigLoader.load(file, warnings::add);

        try (ExtPluginRunner runner = ExtPluginRunner.start(config)) {
            assertEquals(socket, runner.socket());
            assertTrue(UnixSockets.isListening(socket), "the runner listens on path_for_test");
            assertEquals("{\"socket_path\":\"" + socket + "\"}",
                    runner.pluginAttributes(config.pluginAttributes()).get("ext-plugin-pre-req"));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("ext-plugin.path_for_test: " + socket + " is meant for tests"),
                warnings.get(0));
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
