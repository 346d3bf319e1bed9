package io.gatekit.gateway;

import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.Reply;
import io.gatekit.runner.RunnerCallContext;
import io.gatekit.runner.RunnerPlugin;
import io.gatekit.runner.RunnerServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A Plugin Runner with the {@code ext-plugin-A} of the APISIX docs, started by the gateway from
 * {@code ext-plugin.cmd} exactly as APISIX starts its runners (socket and conf expiry from the
 * environment). The plugin marks the response so a test can see that it ran, with its config.
 */
public final class SeedRunnerMain {

    private SeedRunnerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        RunnerPlugin pluginA = new RunnerPlugin() {
            @Override
            public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                byte[] upstreamBody = context.extraInfo(io.gatekit.runner.ExtraInfo.responseBody());
                String body = new String(upstreamBody, StandardCharsets.UTF_8);
                return Reply.builder()
                        .addHeader("X-Ext-Plugin-A", "executed with " + context.config())
                        .body(body.replace("index", "index, seen by ext-plugin-A"))
                        .build();
            }
        };
        RunnerServer server = RunnerServer.builderFromEnvironment().plugin("ext-plugin-A", pluginA).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await();
    }
}
