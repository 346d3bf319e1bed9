package io.gatekit.runner;

import java.util.concurrent.CountDownLatch;

/** A runner process built on RunnerServer with the test plugins, configured as APISIX configures one. */
public final class TestRunnerMain {

    private TestRunnerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        RunnerServer server = TestPlugins.register(RunnerServer.builderFromEnvironment()).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("gatekit test runner listening on " + server.socketPath());
        new CountDownLatch(1).await();
    }
}
