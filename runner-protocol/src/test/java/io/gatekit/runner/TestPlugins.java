package io.gatekit.runner;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * RunnerServer plugins with the names and behaviour of the conformance filters the real Java runner
 * loads (org.apache.apisix.plugin.runner.gatekit), so the same tests run against both peers
 * ({@link Peers}); other modules' tests register them on their own RunnerServers too.
 */
public final class TestPlugins {

    private TestPlugins() {
    }

    /** {@code builder} with the conformance plugins added. */
    public static RunnerServer.Builder register(RunnerServer.Builder builder) {
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
                        return ReqAction.rewrite()
                                .setHeader("x-echo-method", request.method().name())
                                .setHeader("x-echo-path", request.path())
                                .setHeader("x-echo-arg", first(request, "a"))
                                .setHeader("x-echo-header", header(request, "x-in"))
                                .setHeader("x-echo-ip", InetAddress.getByAddress(request.sourceIp()).getHostAddress())
                                .setHeader("x-echo-id", Long.toString(request.id()))
                                .setHeader("x-echo-config", context.config())
                                .path("/rewritten")
                                .setHeader("x-added", "v")
                                .deleteHeader("x-remove")
                                .setArg("na", "nv")
                                .build();
                    }
                })
                .plugin("gk-none", new RunnerPlugin() {
                })
                .plugin("gk-resp", new RunnerPlugin() {
                    @Override
                    public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                        String upstream = response.headers().stream().filter(h -> h.name().equals("x-up"))
                                .map(TextEntry::value).findFirst().orElse("");
                        return Reply.builder().status(418).addHeader("x-runner", "gk")
                                .addHeader("x-upstream", upstream).body(context.config()).build();
                    }
                })
                .plugin("gk-extra-req", new RunnerPlugin() {
                    @Override
                    public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                        return ReqAction.rewrite()
                                .setHeader("x-remote-addr", String.valueOf(context.var("remote_addr")))
                                .setHeader("x-server-port", String.valueOf(context.var("server_port")))
                                .setHeader("x-body", new String(context.requestBody(), StandardCharsets.UTF_8))
                                .build();
                    }
                })
                .plugin("gk-extra-resp", new RunnerPlugin() {
                    @Override
                    public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                        return Reply.builder()
                                .addHeader("x-server-port", context.var("server_port"))
                                .addHeader("x-resp-body", new String(context.responseBody(), StandardCharsets.UTF_8))
                                .build();
                    }
                });
    }

    private static String first(HttpReqCall request, String name) {
        return request.args().stream().filter(a -> a.name().equals(name)).map(TextEntry::value).findFirst().orElse("");
    }

    private static String header(HttpReqCall request, String name) {
        return request.headers().stream().filter(h -> h.name().equals(name)).map(TextEntry::value).findFirst().orElse("");
    }
}
