package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.Peers.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A runner killed under load is restarted by the supervisor and used again by the same client. */
@Tag("process") // starts a runner or etcd: -DexcludedGroups=process skips it
class RestartTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aKilledRunnerIsRestartedAndOnlyTheCallInFlightFails(Kind kind) throws Exception {
        RunnerSupervisor supervisor = RunnerSupervisor.builder().command(Peers.command(kind))
                .socketPath(dir.resolve("runner.sock")).workingDirectory(dir)
                .restartDelay(Duration.ofMillis(500)).build();
        try (supervisor; RunnerClient client = RunnerClient.builder().runner(supervisor)
                .restartWait(Peers.START_TIMEOUT).build()) {
            supervisor.start();
            supervisor.awaitReady(Peers.START_TIMEOUT);
            RunnerConf stop = RunnerConf.builder().id("route#1#ext-plugin-pre-req").version(1)
                    .addPlugin("gk-stop", "before").build();
            RunnerConf extra = RunnerConf.builder().id("route#2#ext-plugin-pre-req").version(1)
                    .addPlugin("gk-extra-req", "{}").build();
            assertInstanceOf(Reply.class, client.httpReqCall(stop, request(), ExtraInfoHandler.none()));

            // A call parks inside its ExtraInfo answer while the runner is killed under it.
            CountDownLatch asked = new CountDownLatch(1);
            CountDownLatch killed = new CountDownLatch(1);
            CompletableFuture<ReqAction> inFlight = client.httpReqCallAsync(extra, request(), question -> {
                asked.countDown();
                killed.await();
                return "x".getBytes(StandardCharsets.UTF_8);
            }).toCompletableFuture();
            assertTrue(asked.await(30, TimeUnit.SECONDS), "the runner asked its question");
            ProcessHandle runner = ProcessHandle.of(supervisor.pid().orElseThrow()).orElseThrow();
            runner.destroyForcibly();
            runner.onExit().get(30, TimeUnit.SECONDS);
            killed.countDown();

            CompletionException failed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, inFlight::join);
            assertEquals(RunnerException.Kind.IO, assertInstanceOf(RunnerException.class, failed.getCause()).kind());

            // Every call from now on succeeds: they wait for the new runner and prepare new tokens.
            for (int i = 0; i < 20; i++) {
                ReqAction action = client.httpReqCall(stop, request(), ExtraInfoHandler.none());
                assertEquals("before", assertInstanceOf(Reply.class, action).bodyUtf8());
            }
            assertInstanceOf(ReqAction.Rewrite.class, client.httpReqCall(extra, request(), question -> new byte[] {'y'}));
            assertEquals(2, supervisor.generation());
        }
    }

    private static HttpReqCall request() {
        return HttpReqCall.builder().sourceIp(new byte[] {127, 0, 0, 1}).path("/").build();
    }
}
