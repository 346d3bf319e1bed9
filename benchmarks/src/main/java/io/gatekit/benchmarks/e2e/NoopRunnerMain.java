package io.gatekit.benchmarks.e2e;

import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.RunnerCallContext;
import io.gatekit.runner.RunnerPlugin;
import io.gatekit.runner.RunnerServer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * The runner side of P8: an ext-plugin runner process on the repo's own {@link RunnerServer},
 * with one plugin, {@code noop}, that lets every request through unchanged. The gateway starts it
 * from {@code ext-plugin.cmd} and gives it the socket in {@code APISIX_LISTEN_ADDRESS}, as APISIX
 * does. On exit it prints how many calls it answered.
 *
 * <pre>ext-plugin:
 *   cmd: ["java", "-cp", "benchmarks/target/benchmarks.jar", "io.gatekit.benchmarks.e2e.NoopRunnerMain"]</pre>
 */
public final class NoopRunnerMain {

    private NoopRunnerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LongAdder calls = new LongAdder();
        RunnerServer server = RunnerServer.builderFromEnvironment().plugin("noop", new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                calls.increment();
                return ReqAction.none();
            }
        }).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            System.out.println("noop runner answered " + calls.sum() + " calls");
        }));
        System.out.println("noop runner listening on " + server.socketPath());
        new CountDownLatch(1).await();
    }
}
