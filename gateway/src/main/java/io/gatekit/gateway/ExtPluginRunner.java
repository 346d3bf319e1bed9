package io.gatekit.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.runner.RunnerSupervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's external Plugin Runner, as APISIX runs it: started from {@code ext-plugin.cmd}
 * (restarted when it exits, stopped with the gateway) or found on the socket of
 * {@code ext-plugin.path_for_test}. With both, as in APISIX ({@code helper.get_path}), the runner is
 * told to listen on {@code path_for_test}; with {@code cmd} alone it gets a private socket. The
 * {@code ext-plugin-*} plugins learn the socket through their node attributes
 * ({@code plugin_attr.<name>.socket_path}), which the user's own attributes for them may extend.
 */
final class ExtPluginRunner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ExtPluginRunner.class.getName());
    private static final List<String> PLUGINS = List.of("ext-plugin-pre-req", "ext-plugin-post-req",
            "ext-plugin-post-resp");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.time.Duration READY_TIMEOUT = java.time.Duration.ofSeconds(15);

    private final @Nullable Path socket;
    private final @Nullable RunnerSupervisor supervisor;
    private final @Nullable Path tempDir;

    private ExtPluginRunner(@Nullable Path socket, @Nullable RunnerSupervisor supervisor, @Nullable Path tempDir) {
        this.socket = socket;
        this.supervisor = supervisor;
        this.tempDir = tempDir;
    }

    static ExtPluginRunner start(GatewayConfig config) {
        if (config.extPluginCmd() != null && !config.extPluginCmd().isEmpty()) {
            Path dir = null;
            Path socket;
            if (config.extPluginPathForTest() != null) {
                socket = Path.of(config.extPluginPathForTest()).toAbsolutePath();
            } else {
                try {
                    // Only this user may enter it, so no one else reaches the socket, whatever mode
                    // the runner gives the file (the supervisor narrows that too, and again when
                    // the runner changes it). The JDK's default for temporary directories, made sure.
                    dir = Files.createTempDirectory("gatekit-runner-",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (IOException e) {
                    throw new IllegalStateException("ext-plugin.cmd: cannot create a directory for the runner socket: "
                            + e.getMessage(), e);
                }
                socket = dir.resolve("runner.sock");
            }
            RunnerSupervisor supervisor = RunnerSupervisor.builder().command(config.extPluginCmd())
                    .socketPath(socket).build();
            supervisor.start();
            try {
                // serve no request before the runner listens, or the first ones would get 503
                supervisor.awaitReady(READY_TIMEOUT);
                LOG.log(System.Logger.Level.INFO, "ext-plugin runner " + config.extPluginCmd() + " ready on " + socket);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "ext-plugin runner " + config.extPluginCmd() + " not ready after "
                        + READY_TIMEOUT.toSeconds() + " s (" + e.getMessage() + "); starting anyway, ext-plugin "
                        + "requests fail (or degrade) until it is");
            }
            return new ExtPluginRunner(socket, supervisor, dir);
        }
        if (config.extPluginPathForTest() != null) {
            return new ExtPluginRunner(Path.of(config.extPluginPathForTest()), null, null);
        }
        return new ExtPluginRunner(null, null, null);
    }

    /** {@code attributes} with the runner socket added for each ext-plugin (user values win). */
    Map<String, String> pluginAttributes(Map<String, String> attributes) {
        Map<String, String> all = new LinkedHashMap<>(attributes);
        if (socket == null) {
            return all;
        }
        for (String plugin : PLUGINS) {
            ObjectNode node;
            try {
                JsonNode given = attributes.containsKey(plugin) ? JSON.readTree(attributes.get(plugin)) : null;
                node = given instanceof ObjectNode object ? object : JSON.createObjectNode();
            } catch (IOException e) {
                throw new IllegalArgumentException("plugin_attr." + plugin + ": not a mapping (" + e.getMessage()
                        + ")", e);
            }
            if (!node.has("socket_path")) {
                node.put("socket_path", socket.toString());
            }
            all.put(plugin, node.toString());
        }
        return all;
    }

    /** The runner's socket, or {@code null} when no runner is configured. */
    @Nullable Path socket() {
        return socket;
    }

    @Override
    public void close() {
        if (supervisor != null) {
            supervisor.close();
        }
        if (tempDir != null) {
            try {
                Files.deleteIfExists(tempDir.resolve("runner.sock"));
                Files.deleteIfExists(tempDir);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not remove " + tempDir, e);
            }
        }
    }
}
