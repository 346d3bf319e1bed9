package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.Peers.Kind;
import io.gatekit.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thousands of calls from many callers while the runner is killed again and again (SIGKILL, in the
 * middle of calls) and restarted by its supervisor. Calls that meet the dead runner may fail; once
 * the new runner is ready, none does: not with the client the gateway builds (a socket path only:
 * stale tokens and connections are found out by the calls themselves) nor with one that follows
 * the supervisor.
 */
@Tag("process") // starts a runner or etcd: -DexcludedGroups=process skips it
class RestartStressTest {

    private static final int CALLERS = 16;
    private static final int RESTARTS = 3;
    private static final int CALLS_AFTER_EACH_RESTART = 1_000;
    private static final int CALLS_BEFORE_EACH_KILL = 200;

    @TempDir
    Path dir;

    static Stream<Arguments> setups() {
        return Stream.of(Arguments.of(Kind.GATEKIT_SERVER, false), Arguments.of(Kind.GATEKIT_SERVER, true),
                Arguments.of(Kind.JAVA_RUNNER, false));
    }

    @ParameterizedTest(name = "{0}, client follows the supervisor: {1}")
    @MethodSource("setups")
    void everyCallAfterEachRestartSettledSucceeds(Kind kind, boolean followsSupervisor) throws Exception {
        RunnerSupervisor supervisor = RunnerSupervisor.builder().command(Peers.command(kind))
                .socketPath(dir.resolve("runner.sock")).workingDirectory(dir)
                .restartDelay(Duration.ofMillis(100)).build();
        RunnerClient.Builder builder = RunnerClient.builder().threads(CALLERS);
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try (supervisor; RunnerClient client = (followsSupervisor ? builder.runner(supervisor)
                .restartWait(Peers.START_TIMEOUT) : builder.socketPath(supervisor.socketPath())).build()) {
            supervisor.start();
            supervisor.awaitReady(Peers.START_TIMEOUT);
            RunnerConf stop = RunnerConf.builder().id("route#1#ext-plugin-pre-req").version(1)
                    .addPlugin("gk-stop", "stopped").build();
            RunnerConf extra = RunnerConf.builder().id("route#2#ext-plugin-pre-req").version(1)
                    .addPlugin("gk-extra-req", "{}").build();
            int total = 0;

            for (int round = 1; round <= RESTARTS; round++) {
                Round traffic = new Round();
                List<Future<?>> running = new ArrayList<>();
                for (int i = 0; i < CALLERS; i++) {
                    int caller = i;
                    running.add(callers.submit(() -> traffic.call(() -> {
                        // half the callers ask for a Stop, half answer ExtraInfo questions
                        ReqAction action = caller % 2 == 0
                                ? client.httpReqCallAsync(stop, request(), ExtraInfoHandler.none())
                                        .toCompletableFuture().get(60, TimeUnit.SECONDS)
                                : client.httpReqCallAsync(extra, request(), question -> new byte[] {'v'})
                                        .toCompletableFuture().get(60, TimeUnit.SECONDS);
                        if (!(action instanceof Reply || action instanceof ReqAction.Rewrite)) {
                            throw new AssertionError("answer " + action);
                        }
                    })));
                }
                Await.until("calls before the kill", () -> traffic.succeeded.get() >= CALLS_BEFORE_EACH_KILL);

                ProcessHandle runner = ProcessHandle.of(supervisor.pid().orElseThrow()).orElseThrow();
                runner.destroyForcibly();
                long generation = round + 1;
                Await.until("runner " + generation + " ready", Duration.ofSeconds(120),
                        () -> supervisor.generation() == generation && supervisor.isReady());
                traffic.settled();

                for (Future<?> caller : running) {
                    caller.get(120, TimeUnit.SECONDS);
                }
                assertEquals(List.of(), traffic.failedAfterSettling, "round " + round);
                assertTrue(traffic.startedAfterSettling.get() >= CALLS_AFTER_EACH_RESTART);
                total += traffic.succeeded.get() + traffic.failedBeforeSettling.get();
            }
            assertTrue(total >= RESTARTS * (CALLS_BEFORE_EACH_KILL + CALLS_AFTER_EACH_RESTART), "calls: " + total);
            assertEquals(RESTARTS + 1, supervisor.generation());
        } finally {
            callers.shutdownNow();
        }
    }

    private static HttpReqCall request() {
        return HttpReqCall.builder().sourceIp(new byte[] {127, 0, 0, 1}).path("/").build();
    }

    /** One round of traffic: calls until enough started after the new runner was ready. */
    private static final class Round {
        final AtomicInteger succeeded = new AtomicInteger();
        final AtomicInteger failedBeforeSettling = new AtomicInteger();
        final AtomicInteger startedAfterSettling = new AtomicInteger();
        final List<String> failedAfterSettling = new CopyOnWriteArrayList<>();
        private final AtomicLong settledAt = new AtomicLong(Long.MAX_VALUE);
        private final CountDownLatch settled = new CountDownLatch(1);

        /** A call's body; it throws when the call failed. */
        @FunctionalInterface
        interface Body {
            void run() throws Exception;
        }

        void settled() {
            settledAt.set(System.nanoTime());
            settled.countDown();
        }

        Void call(Body body) throws InterruptedException {
            while (startedAfterSettling.get() < CALLS_AFTER_EACH_RESTART) {
                long startedAt = System.nanoTime();
                boolean after = startedAt - settledAt.get() > 0;
                if (after) {
                    startedAfterSettling.incrementAndGet();
                }
                try {
                    body.run();
                    succeeded.incrementAndGet();
                } catch (Exception e) {
                    if (after) {
                        failedAfterSettling.add(e.toString());
                    } else {
                        failedBeforeSettling.incrementAndGet();
                        settled.await(); // the runner is away: wait for it instead of spinning
                    }
                }
            }
            return null;
        }
    }
}
