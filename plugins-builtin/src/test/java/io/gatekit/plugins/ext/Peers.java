package io.gatekit.plugins.ext;

import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.JavaRunnerCommand;
import io.gatekit.runner.Reply;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.RunnerCallContext;
import io.gatekit.runner.RunnerPlugin;
import io.gatekit.runner.RunnerServer;
import io.gatekit.runner.RunnerSupervisor;
import io.gatekit.runner.TextEntry;
import io.gatekit.testing.TempDirs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The two runners the ext-plugin tests talk to: the released APISIX Java Plugin Runner 0.4.0 with
 * runner-protocol's conformance filters (from its test-jar) plus this module's ({@code gk-slow}), and
 * RunnerServer with their twins. A test class starts them once (the Java runner takes seconds) and closes them after.
 */
final class Peers implements AutoCloseable {

    /** Which runner. */
    enum Kind {
        JAVA_RUNNER, GATEKIT_SERVER
    }

    /** How long the Java runner may take to listen; a few seconds, more on a busy CI box. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final RunnerSupervisor javaRunner;
    private final RunnerServer server;

    private Peers(Path dir, RunnerSupervisor javaRunner, RunnerServer server) {
        this.dir = dir;
        this.javaRunner = javaRunner;
        this.server = server;
    }

    /** Starts both and waits until both listen. */
    static Peers start() {
        Path dir = tempDir();
        RunnerServer server = register(RunnerServer.builder().socketPath(dir.resolve("gatekit.sock"))).build().start();
        RunnerSupervisor javaRunner = RunnerSupervisor.builder().command(javaRunnerCommand())
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

    /**
     * RunnerServer plugins named and behaving as the filters the Java runner loads, down to what the
     * Java runner sends for a {@code null}: an entry without value (a deletion).
     */
    static RunnerServer.Builder register(RunnerServer.Builder builder) {
        return builder
                .plugin("gk-stop", new RunnerPlugin() {
                    @Override
                    public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                        return ReqAction.stop().status(403).addHeader("x-stop", "yes").body(context.config()).build();
                    }
                })
                .plugin("gk-rewrite", new RunnerPlugin() {
                    @Override
                    public ReqAction onRequest(HttpReqCall request, RunnerCallContext context)
                            throws UnknownHostException {
                        ReqAction.Rewrite.Builder rewrite = ReqAction.rewrite();
                        rewrite.addHeader(entry("x-echo-method", request.method().name()));
                        rewrite.addHeader(entry("x-echo-path", request.path()));
                        rewrite.addHeader(entry("x-echo-arg", first(request.args(), "a")));
                        rewrite.addHeader(entry("x-echo-header", first(request.headers(), "x-in")));
                        rewrite.addHeader(entry("x-echo-ip", InetAddress.getByAddress(request.sourceIp()).getHostAddress()));
                        rewrite.addHeader(entry("x-echo-id", Long.toString(request.id())));
                        rewrite.addHeader(entry("x-echo-config", context.config()));
                        return rewrite.path("/rewritten").setHeader("x-added", "v").deleteHeader("x-remove")
                                .setArg("na", "nv").build();
                    }
                })
                .plugin("gk-none", new RunnerPlugin() {
                })
                .plugin("gk-resp", new RunnerPlugin() {
                    @Override
                    public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                        return Reply.builder().status(418).addHeader("x-runner", "gk")
                                .addHeader(entry("x-upstream", first(response.headers(), "x-up")))
                                .body(context.config()).build();
                    }
                })
                .plugin("gk-extra-req", new RunnerPlugin() {
                    @Override
                    public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                        return ReqAction.rewrite()
                                .addHeader(entry("x-remote-addr", context.var("remote_addr")))
                                .addHeader(entry("x-server-port", context.var("server_port")))
                                .addHeader(entry("x-body", new String(context.requestBody(), StandardCharsets.UTF_8)))
                                .build();
                    }
                })
                .plugin("gk-extra-resp", new RunnerPlugin() {
                    @Override
                    public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                        return Reply.builder()
                                .addHeader(entry("x-server-port", context.var("server_port")))
                                .addHeader(entry("x-resp-body", new String(context.responseBody(), StandardCharsets.UTF_8)))
                                .build();
                    }
                })
                .plugin("gk-slow", new RunnerPlugin() {
                    @Override
                    public ReqAction onRequest(HttpReqCall request, RunnerCallContext context)
                            throws InterruptedException {
                        Thread.sleep(Long.parseLong(context.config().trim())); // a slow runner, as GkSlowFilter
                        return ReqAction.none();
                    }

                    @Override
                    public Reply onResponse(HttpRespCall response, RunnerCallContext context)
                            throws InterruptedException {
                        Thread.sleep(Long.parseLong(context.config().trim()));
                        return Reply.empty();
                    }
                });
    }

    private static TextEntry entry(String name, String value) {
        return new TextEntry(name, value);
    }

    private static String first(List<TextEntry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).map(TextEntry::value).findFirst().orElse(null);
    }

    Path socketPath(Kind kind) {
        return kind == Kind.JAVA_RUNNER ? javaRunner.socketPath() : server.socketPath();
    }

    @Override
    public void close() throws IOException {
        try {
            javaRunner.close();
        } finally {
            server.close();
            deleteTree(dir);
        }
    }

    /** argv of the released runner with both modules' filters on its loader path. */
    private static List<String> javaRunnerCommand() {
        return JavaRunnerCommand.argv("org/apache/apisix/plugin/runner/gatekit/GkStopFilter.class",
                "org/apache/apisix/plugin/runner/gatekit/ext/GkSlowFilter.class");
    }

    /** A short temp directory: unix socket paths must stay under ~100 bytes. */
    static Path tempDir() {
        return TempDirs.create("gk-ext-");
    }

    static void deleteTree(Path dir) throws IOException {
        TempDirs.delete(dir);
    }
}
