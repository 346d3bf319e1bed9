package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Process management with small shell commands standing in for a runner. */
@SuppressWarnings("try") // resources opened only to be there and closed, e.g. a runner
@Tag("process") // starts a runner or etcd: -DexcludedGroups=process skips it
class RunnerSupervisorTest {

    @TempDir
    Path dir;

    private final RecordingLogger log = new RecordingLogger();

    private RunnerSupervisor.Builder supervisor(String script) {
        return RunnerSupervisor.builder().command("sh", "-c", script).socketPath(dir.resolve("runner.sock")).logger(log);
    }

    /**
     * A shell command that creates {@code file} once {@code setUp} ran, then runs {@code then}. Tests
     * await the file, not a log line: the supervisor's own "runner started" line quotes the whole
     * command, so any word of it is in the log before the shell has run a single command.
     */
    private static String signalling(Path file, String setUp, String then) {
        return setUp + " : > '" + file + "'; " + then;
    }

    @Test
    void theRunnerGetsTheListenAddressAndConfExpiryAndItsOutputIsLogged() {
        try (RunnerSupervisor supervisor = supervisor(
                "echo \"addr=$APISIX_LISTEN_ADDRESS expire=$APISIX_CONF_EXPIRE_TIME\"; echo oops >&2; exec sleep 600")
                .confExpire(Duration.ofSeconds(120)).build()) {
            supervisor.start();

            // The supervisor's own "runner started" line quotes the command, "oops" included: only
            // lines prefixed with the runner's pid are its output.
            String output = "runner[" + supervisor.pid().orElseThrow() + "]: ";
            String expected = "addr=unix:" + dir.resolve("runner.sock").toAbsolutePath() + " expire=120";
            Await.until("the runner's output in the log",
                    () -> log.contains(output + expected) && log.contains(output + "oops"));
            assertTrue(log.contains("]: " + expected), log.messages.toString());
        }
    }

    @Test
    void anExitedRunnerIsRestartedAfterTheDelayAndListenersHearOfIt() {
        List<Integer> exits = new CopyOnWriteArrayList<>();
        List<Long> exitTimes = new CopyOnWriteArrayList<>();
        try (RunnerSupervisor supervisor = supervisor("echo run; exit 3").restartDelay(Duration.ofMillis(300)).build()) {
            supervisor.addListener(new RunnerSupervisor.Listener() {
                @Override
                public void runnerExited(int exitStatus) {
                    exits.add(exitStatus);
                    exitTimes.add(System.nanoTime());
                }
            });
            supervisor.start();

            Await.until("three exits", () -> exits.size() >= 3);
            assertEquals(List.of(3, 3, 3), exits.subList(0, 3));
            long gap = TimeUnit.NANOSECONDS.toMillis(exitTimes.get(1) - exitTimes.get(0));
            assertTrue(gap >= 300, "restarted after " + gap + " ms");
            assertTrue(log.contains("runner exited with status 3, restarting in 300 ms"), log.messages.toString());
        }
    }

    @Test
    void closeStopsTheRunnerWithSigterm() throws Exception {
        Path started = dir.resolve("started");
        RunnerSupervisor supervisor = supervisor(signalling(started, "", "exec sleep 600")).build();
        supervisor.start();
        Await.until("the runner to start", () -> Files.exists(started));
        ProcessHandle runner = ProcessHandle.of(supervisor.pid().orElseThrow()).orElseThrow();
        long start = System.nanoTime();

        supervisor.close();

        assertFalse(runner.isAlive());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1_000);
        assertTrue(log.contains("runner stopped with status 143"), log.messages.toString());
        assertFalse(log.contains("SIGKILL"));
    }

    @Test
    void aRunnerIgnoringSigtermIsKilledAfterTheStopTimeout() throws Exception {
        // The file is created once the trap is set and the child started (the child lives as long as
        // the test): SIGTERM cannot come too early, nor the list of children be empty.
        Path trapped = dir.resolve("trapped");
        RunnerSupervisor supervisor = supervisor(signalling(trapped, "trap '' TERM; sleep 600 &",
                "while :; do wait; done")).stopTimeout(Duration.ofMillis(500)).build();
        supervisor.start();
        Await.until("the runner to ignore SIGTERM", () -> Files.exists(trapped));
        ProcessHandle runner = ProcessHandle.of(supervisor.pid().orElseThrow()).orElseThrow();
        List<ProcessHandle> children = runner.descendants().toList();
        long start = System.nanoTime();

        supervisor.close();

        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(runner.isAlive());
        // at least the grace period, and nowhere near the 600 s the runner would have lived
        assertTrue(took >= 500 && took < 30_000, took + " ms");
        assertFalse(children.isEmpty());
        Await.until("the runner's children to be gone", () -> children.stream().noneMatch(ProcessHandle::isAlive));
        assertTrue(log.contains("runner did not stop within 500 ms of SIGTERM, sending SIGKILL"), log.messages.toString());
    }

    @Test
    void aStoppedRunnerIsNotRestarted() {
        List<Integer> exits = new CopyOnWriteArrayList<>();
        RunnerSupervisor supervisor = supervisor("exec sleep 600").restartDelay(Duration.ZERO).build();
        supervisor.addListener(new RunnerSupervisor.Listener() {
            @Override
            public void runnerExited(int exitStatus) {
                exits.add(exitStatus);
            }
        });
        supervisor.start();
        Await.until("the runner to run", () -> supervisor.pid().isPresent());

        supervisor.close();

        assertEquals(List.of(143), exits);
        assertTrue(supervisor.pid().isEmpty());
        assertEquals(RunnerException.Kind.CLOSED,
                assertThrows(RunnerException.class, () -> supervisor.awaitReady(Duration.ofSeconds(1))).kind());
    }

    @Test
    void aRunnerThatNeverListensIsNotReady() {
        try (RunnerSupervisor supervisor = supervisor("exec sleep 600").build()) {
            supervisor.start();

            RunnerException e = assertThrows(RunnerException.class, () -> supervisor.awaitReady(Duration.ofMillis(200)));
            assertEquals(RunnerException.Kind.CONNECT, e.kind());
            assertFalse(supervisor.isReady());
        }
    }

    @Test
    void anExternalRunnerIsOnlyWaitedFor() {
        Path socket = dir.resolve("runner.sock");
        try (RunnerSupervisor supervisor = RunnerSupervisor.builder().socketPath(socket).build()) {
            supervisor.start();
            assertFalse(supervisor.isManaged());
            assertEquals(RunnerException.Kind.CONNECT,
                    assertThrows(RunnerException.class, () -> supervisor.awaitReady(Duration.ofMillis(100))).kind());

            try (RunnerServer server = TestPlugins.register(RunnerServer.builder().socketPath(socket)).build().start();
                 RunnerClient client = RunnerClient.builder().runner(supervisor).build()) {
                supervisor.awaitReady(Duration.ofSeconds(5));
                assertTrue(supervisor.isReady());
                RunnerConf conf = RunnerConf.builder().id("c").version(1).addPlugin("gk-stop", "b").build();
                assertTrue(client.httpReqCall(conf, HttpReqCall.builder().build(), ExtraInfoHandler.none())
                        instanceof Reply);
            }
        }
    }

    @Test
    void aClientOfTheSupervisorDropsItsTokensWhenTheRunnerExits() {
        Path socket = dir.resolve("runner.sock");
        try (RunnerServer server = TestPlugins.register(RunnerServer.builder().socketPath(dir.resolve("other.sock")))
                .build().start();
             RunnerSupervisor supervisor = RunnerSupervisor.builder().command("sh", "-c", "read line")
                     .socketPath(socket).logger(log).restartDelay(Duration.ofSeconds(60)).build();
             RunnerClient client = RunnerClient.builder().runner(supervisor).build()) {
            supervisor.start();
            RunnerConf conf = RunnerConf.builder().id("c").version(1).build();
            client.tokens().put(conf, 7);
            assertEquals(7, client.confToken(conf));

            ProcessHandle.of(supervisor.pid().orElseThrow()).orElseThrow().destroyForcibly();

            Await.until("the tokens to be dropped", () -> client.tokens().size() == 0);
        }
    }

    @Test
    void theSocketIsNarrowedToItsOwnerAgainWhenTheRunnerOpensItToEveryoneAfterItWasFoundReady() throws Exception {
        Path socket = dir.resolve("runner.sock");
        Path reopened = dir.resolve("reopened");
        try (RunnerSupervisor supervisor = RunnerSupervisor.builder()
                .command(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                        "-cp", System.getProperty("java.class.path"), ReopeningRunnerMain.class.getName(),
                        reopened.toString())
                .socketPath(socket).logger(log).build()) {
            supervisor.start();
            supervisor.awaitReady(Duration.ofSeconds(60));

            Await.until("the runner to open its socket to everyone", () -> Files.exists(reopened));
            Await.until("the socket narrowed to its owner again", () -> "rw-------".equals(mode(socket)));

            // the runner changes the mode no more: what is checked now stays
            assertEquals("rw-------", mode(socket));
            assertEquals("rwx------", mode(dir), "the directory the test gives the runner");
        }
    }

    private static String mode(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    @Test
    void theBuilderChecksItsArgumentsAtOnce() {
        RunnerSupervisor.Builder builder = RunnerSupervisor.builder();

        assertEquals("command: [] (expected: at least the program)",
                assertThrows(IllegalArgumentException.class, () -> builder.command(List.of())).getMessage());
        assertEquals("restartDelay: PT-1S (expected: >= 0)",
                assertThrows(IllegalArgumentException.class, () -> builder.restartDelay(Duration.ofSeconds(-1))).getMessage());
        assertEquals("confExpire: PT0.5S (expected: >= 1 s)",
                assertThrows(IllegalArgumentException.class, () -> builder.confExpire(Duration.ofMillis(500))).getMessage());
        assertEquals("socketPath: null (expected: set with socketPath(Path))",
                assertThrows(IllegalStateException.class, builder::build).getMessage());
    }
}
