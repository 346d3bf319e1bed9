package io.gatekit.spring.boot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.runner.RunnerSupervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The ext-plugin runner {@code gatekit.ext-plugin.*} asks for, as a {@link RunnerSupervisor}: a
 * managed process for {@code cmd}, an external runner for {@code path-for-test} alone. A managed
 * runner is waited for (at most 15 s, then the application starts anyway and ext-plugin requests
 * fail or degrade until it is ready), so the first requests do not meet a runner still starting.
 */
final class ExtPluginRunner {

    /** The plugins that talk to the runner; each is given its socket as {@code socket_path}. */
    static final List<String> PLUGINS = List.of("ext-plugin-pre-req", "ext-plugin-post-req", "ext-plugin-post-resp");

    private static final System.Logger LOG = System.getLogger(ExtPluginRunner.class.getName());
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExtPluginRunner() {
    }

    static RunnerSupervisor start(GatekitProperties.ExtPlugin settings) {
        List<String> cmd = settings.cmd();
        if (cmd.isEmpty()) {
            return RunnerSupervisor.builder().socketPath(settings.pathForTest().toAbsolutePath()).build();
        }
        Path socket = settings.pathForTest() != null ? settings.pathForTest().toAbsolutePath() : privateSocket();
        RunnerSupervisor runner = RunnerSupervisor.builder().command(cmd).socketPath(socket).build();
        runner.start();
        try {
            runner.awaitReady(READY_TIMEOUT);
            LOG.log(System.Logger.Level.INFO, "ext-plugin runner " + cmd + " ready on " + socket);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ext-plugin runner " + cmd + " not ready after "
                    + READY_TIMEOUT.toSeconds() + " s (" + e.getMessage() + "); starting anyway, ext-plugin requests"
                    + " fail (or degrade) until it is");
        }
        return runner;
    }

    /**
     * An ext-plugin's node attributes: {@code given} (its {@code gatekit.plugin-attr}, a JSON
     * object, or {@code null}) with the runner's socket as {@code socket_path} unless it names one.
     */
    static String attributes(RunnerSupervisor runner, String plugin, @Nullable String given) {
        ObjectNode attributes = given == null ? JSON.createObjectNode()
                : (ObjectNode) PluginSettings.object(given, plugin);
        if (!attributes.has("socket_path")) {
            attributes.put("socket_path", runner.socketPath().toString());
        }
        return attributes.toString();
    }

    /**
     * A socket in a new directory only this user may enter, so no one else reaches the runner
     * whatever mode it gives the file; both are removed when the JVM exits.
     */
    private static Path privateSocket() {
        try {
            Path dir = Files.createTempDirectory("gatekit-runner-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path socket = dir.resolve("runner.sock");
            dir.toFile().deleteOnExit();
            socket.toFile().deleteOnExit(); // deleted first: files registered later go first
            return socket;
        } catch (IOException e) {
            throw new IllegalStateException("gatekit.ext-plugin.cmd: cannot create a directory for the runner socket: "
                    + e.getMessage(), e);
        }
    }

    /** Matches when {@code gatekit.ext-plugin.cmd} or {@code gatekit.ext-plugin.path-for-test} is set. */
    static final class Configured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Binder binder = Binder.get(context.getEnvironment());
            return binder.bind("gatekit.ext-plugin.cmd", Bindable.listOf(String.class)).map(cmd -> !cmd.isEmpty())
                    .orElse(false)
                    || binder.bind("gatekit.ext-plugin.path-for-test", String.class).isBound();
        }
    }
}
