package io.gatekit.runner;

import io.gatekit.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The two runners every conformance test talks to: the released APISIX Java Plugin Runner with the
 * filters of {@code org.apache.apisix.plugin.runner.gatekit}, and this module's {@link RunnerServer}
 * with {@link TestPlugins}. Each is started once per test run (the Java runner takes seconds) and
 * stopped when the run ends.
 */
final class Peers implements BeforeAllCallback {

    /** Which runner. */
    enum Kind {
        JAVA_RUNNER, GATEKIT_SERVER
    }

    /** How long a spawned runner may take to listen; the Java runner needs a few seconds, more on a busy CI box. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Peers.class);

    private ExtensionContext root;

    @Override
    public void beforeAll(ExtensionContext context) {
        root = context.getRoot();
    }

    /** The socket path of a running peer, started on first use. */
    Path socketPath(Kind kind) {
        ExtensionContext.Store store = root.getStore(NAMESPACE);
        return store.getOrComputeIfAbsent(kind, Peers::start, Running.class).socketPath();
    }

    private static Running start(Kind kind) {
        Path dir = tempDir();
        Path socket = dir.resolve("runner.sock");
        if (kind == Kind.GATEKIT_SERVER) {
            RunnerServer server = TestPlugins.register(RunnerServer.builder().socketPath(socket)).build().start();
            return new Running(socket, dir, server::close);
        }
        RunnerSupervisor supervisor = RunnerSupervisor.builder().command(javaRunnerCommand())
                .socketPath(socket).workingDirectory(dir).build();
        supervisor.start();
        try {
            supervisor.awaitReady(START_TIMEOUT);
        } catch (RuntimeException e) {
            supervisor.close();
            throw e;
        }
        return new Running(socket, dir, supervisor::close);
    }

    /** A started peer; closed by JUnit at the end of the run. */
    record Running(Path socketPath, Path dir, Runnable stop) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            stop.run();
            deleteTree(dir);
        }
    }

    /** argv of the released Java runner with this module's conformance filters on its loader path. */
    static List<String> javaRunnerCommand() {
        return List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-Dloader.path=" + property("gatekit.apisixRunner.filters"),
                "-jar", property("gatekit.apisixRunner.jar"));
    }

    /** argv of a RunnerServer process with the test plugins ({@link TestRunnerMain}). */
    static List<String> gatekitRunnerCommand() {
        return List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), TestRunnerMain.class.getName());
    }

    static List<String> command(Kind kind) {
        return kind == Kind.JAVA_RUNNER ? javaRunnerCommand() : gatekitRunnerCommand();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException(name + ": not set (expected: run the tests through Maven, which copies"
                    + " the released runner and sets it)");
        }
        return value;
    }

    /** A short temp directory: unix socket paths must stay under ~100 bytes. */
    private static Path tempDir() {
        return TempDirs.create("gk-peer-");
    }

    static void deleteTree(Path dir) throws IOException {
        TempDirs.delete(dir);
    }
}
