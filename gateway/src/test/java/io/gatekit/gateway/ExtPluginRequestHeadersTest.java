package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.RunnerCallContext;
import io.gatekit.runner.RunnerPlugin;
import io.gatekit.runner.RunnerServer;
import io.gatekit.runner.TextEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a runner sees of a request that came through the gateway: the client's headers as received,
 * hop-by-hop ones included, as APISIX sends them. Only the upstream request goes without those.
 */
class ExtPluginRequestHeadersTest {

    @Test
    void theRunnerSeesTheClientsHeadersAsReceivedConnectionIncludedAndTheUpstreamStillGetsNoHopByHopHeader(
            @TempDir Path dir) throws Exception {
        Path socket = dir.resolve("runner.sock");
        RunnerPlugin echo = new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                return ReqAction.rewrite().setHeader("x-runner-saw", request.headers().stream()
                        .filter(h -> !h.name().equals("host")) // the Host entry is APISIX's $upstream_host
                        .map(TextEntry::toString).collect(Collectors.joining(" "))).build();
            }
        };
        Path config = Files.writeString(dir.resolve("config.yaml"), "ext-plugin:\n  path_for_test: " + socket + "\n");
        GatewayConfig gatewayConfig = ConfigLoader.load(config, w -> { }).withPorts(0, 0, 0);
        try (RunnerServer runner = RunnerServer.builder().socketPath(socket).plugin("echo", echo).build().start();
                TestUpstream upstream = new TestUpstream("one");
                Gateway gateway = Gateway.start(gatewayConfig)) {
            gateway.engine().put(ResourceKind.ROUTES, "1", """
                    {"uri": "/r", "upstream": {"nodes": {"%s": 1}},
                     "plugins": {"ext-plugin-pre-req": {"conf": [{"name": "echo", "value": ""}]}}}"""
                    .formatted(upstream.address()));

            try (RawHttp http = new RawHttp(gateway.port())) {
                http.send("GET /r HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Secret\r\n"
                        + "X-Secret: s\r\nTE: trailers\r\nX-Kept: k\r\n\r\n");
                assertEquals(200, http.read().status());
            }

            TestUpstream.Received received = upstream.take();
            assertEquals("TextEntry[name=connection, value=keep-alive, X-Secret] TextEntry[name=x-secret, value=s]"
                    + " TextEntry[name=te, value=trailers] TextEntry[name=x-kept, value=k]",
                    received.header("x-runner-saw"));
            assertNull(received.header("x-secret"));
            assertNull(received.header("te"));
            assertEquals("k", received.header("x-kept"));
        }
    }
}
