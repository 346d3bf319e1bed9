package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.Reply;
import io.gatekit.runner.RunnerCallContext;
import io.gatekit.runner.RunnerPlugin;
import io.gatekit.runner.RunnerServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ext-plugin-post-resp and proxy-mirror on one route, which APISIX cannot combine: the runner
 * changes the response while the mirror gets its copy, both through the gateway's own upstream call.
 */
class PostRespWithMirrorTest {

    @Test
    void theRunnerChangesTheResponseAndTheMirrorGetsItsCopy(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("runner.sock");
        RunnerPlugin tagger = new RunnerPlugin() {
            @Override
            public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                return Reply.builder().status(203).addHeader("x-runner", "saw " + response.status()).build();
            }
        };
        BlockingQueue<String> mirrored = new LinkedBlockingQueue<>();
        HttpServer mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        mirror.createContext("/", exchange -> {
            mirrored.add(exchange.getRequestURI().toString());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        mirror.start();
        Path config = Files.writeString(dir.resolve("config.yaml"), "ext-plugin:\n  path_for_test: " + socket + "\n");
        GatewayConfig gatewayConfig = ConfigLoader.load(config, w -> { }).withPorts(0, 0, 0);
        try (RunnerServer runner = RunnerServer.builder().socketPath(socket).plugin("tagger", tagger).build().start();
                TestUpstream upstream = new TestUpstream("one");
                Gateway gateway = Gateway.start(gatewayConfig)) {
            gateway.engine().put(ResourceKind.ROUTES, "1", """
                    {"uri": "/both", "upstream": {"nodes": {"%s": 1}},
                     "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:%d"},
                                 "ext-plugin-post-resp": {"conf": [{"name": "tagger", "value": ""}]}}}"""
                    .formatted(upstream.address(), mirror.getAddress().getPort()));

            try (RawHttp http = new RawHttp(gateway.port())) {
                RawHttp.Response response = http.get("/both?x=1", "example.com").read();

                assertEquals(203, response.status());
                assertEquals("saw 200", response.header("x-runner"));
                assertEquals("hello from one", response.text());
            }
            assertEquals("/both?x=1", mirrored.poll(10, TimeUnit.SECONDS));
            assertEquals(1, upstream.hits.get());
        } finally {
            mirror.stop(0);
        }
    }
}
