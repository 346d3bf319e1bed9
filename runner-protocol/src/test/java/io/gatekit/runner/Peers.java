package io.gatekit.runner;

import io.gatekit.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The two runners the conformance tests of every module talk to, started side by side: the
 * released APISIX Java Plugin Runner with the filters of {@code org.apache.apisix.plugin.runner.gatekit},
 * and a {@link RunnerServer} with their twins ({@link TestPlugins}). A module adds its own filter
 * and twin; a test class starts them once (the Java runner takes seconds) and closes them after.
 *
 * <pre>{@code
 * peers = Peers.builder()
 *         .javaRunnerFilter("org/apache/apisix/plugin/runner/gatekit/ext/GkSlowFilter.class")
 *         .serverPlugin("gk-slow", new SlowPlugin())
 *         .start();
 * RunnerClient client = RunnerClient.builder().socketPath(peers.socketPath(Kind.JAVA_RUNNER)).build();
 * }</pre>
 */
public final class Peers implements AutoCloseable {

    /** Which runner. */
    public enum Kind {
        JAVA_RUNNER, GATEKIT_SERVER
    }

    /** How long a spawned runner may take to listen; the Java runner needs a few seconds, more on a busy CI box. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** A class of the conformance filters, naming the class-path root the Java runner loads them from. */
    private static final String CONFORMANCE_FILTER = "org/apache/apisix/plugin/runner/gatekit/GkStopFilter.class";

    private final Path dir;
    private final RunnerSupervisor javaRunner;
    private final RunnerServer server;

    private Peers(Path dir, RunnerSupervisor javaRunner, RunnerServer server) {
        this.dir = dir;
        this.javaRunner = javaRunner;
        this.server = server;
    }

    /** Both runners with the conformance filters and their twins only. */
    public static Peers start() {
        return builder().start();
    }

    /** For a module that adds filters of its own. */
    public static Builder builder() {
        return new Builder();
    }

    /** The unix socket a runner listens on. */
    public Path socketPath(Kind kind) {
        return kind == Kind.JAVA_RUNNER ? javaRunner.socketPath() : server.socketPath();
    }

    /** Stops both runners and deletes their folder. */
    @Override
    public void close() throws IOException {
        try {
            javaRunner.close();
        } finally {
            server.close();
            TempDirs.delete(dir);
        }
    }

    /**
     * The argv of a runner process with the conformance filters, for tests that spawn and kill one
     * themselves: the Java runner, or a RunnerServer process ({@link TestRunnerMain}).
     */
    public static List<String> command(Kind kind) {
        if (kind == Kind.JAVA_RUNNER) {
            return JavaRunnerCommand.argv(CONFORMANCE_FILTER);
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), TestRunnerMain.class.getName());
    }

    /** What the two runners load besides the conformance filters. */
    public static final class Builder {

        private final List<String> filterClasses = new ArrayList<>(List.of(CONFORMANCE_FILTER));
        private final List<String> pluginNames = new ArrayList<>();
        private final List<RunnerPlugin> plugins = new ArrayList<>();

        private Builder() {
        }

        /**
         * A filter for the Java runner, named by one of its class files (such as
         * {@code org/apache/apisix/plugin/runner/gatekit/ext/GkSlowFilter.class}): the class-path root
         * holding it goes on the runner's loader path.
         */
        public Builder javaRunnerFilter(String classResource) {
            filterClasses.add(classResource);
            return this;
        }

        /** The RunnerServer twin of a filter added with {@link #javaRunnerFilter}. */
        public Builder serverPlugin(String name, RunnerPlugin plugin) {
            pluginNames.add(name);
            plugins.add(plugin);
            return this;
        }

        /** Starts both and waits until both listen. */
        public Peers start() {
            Path dir = TempDirs.create("gk-peer-"); // unix socket paths must stay under ~100 bytes
            RunnerServer.Builder builder = TestPlugins.register(RunnerServer.builder().socketPath(dir.resolve("gatekit.sock")));
            for (int i = 0; i < plugins.size(); i++) {
                builder.plugin(pluginNames.get(i), plugins.get(i));
            }
            RunnerServer server = builder.build().start();
            RunnerSupervisor javaRunner = RunnerSupervisor.builder()
                    .command(JavaRunnerCommand.argv(filterClasses.toArray(String[]::new)))
                    .socketPath(dir.resolve("java.sock")).workingDirectory(dir).build();
            try {
                javaRunner.start();
                javaRunner.awaitReady(START_TIMEOUT);
            } catch (RuntimeException e) {
                javaRunner.close();
                server.close();
                throw e;
            }
            return new Peers(dir, javaRunner, server);
        }
    }
}
