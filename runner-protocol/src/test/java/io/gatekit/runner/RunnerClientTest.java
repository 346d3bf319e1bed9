package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.internal.FrameChannel;
import io.gatekit.runner.internal.Frames;
import io.gatekit.testing.Await;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's own rules (pool, tokens, retries, timeouts, limits) against scripted runners. */
@SuppressWarnings("try") // resources opened only to be there and closed, e.g. a runner
class RunnerClientTest {

    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("runner.sock");
    }

    private RunnerClient.Builder client() {
        return RunnerClient.builder().socketPath(socket());
    }

    private static RunnerConf conf(String id, long version) {
        return RunnerConf.builder().id(id).version(version).addPlugin("p", "{}").build();
    }

    private static final RunnerConf CONF = conf("route#1#ext-plugin-pre-req", 1);
    private static final HttpReqCall CALL = HttpReqCall.builder().path("/").build();

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pipelinedExtraInfoQuestionsAreAnsweredOneByOneInTheOrderAsked() throws Exception {
        List<String> answers = new ArrayList<>();
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type != Frames.RPC_HTTP_REQ_CALL) {
                ScriptedRunner.plainAnswer(conn, type);
                return;
            }
            // Like the Java runner: every question first, then read the answers.
            conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.var("first")));
            conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.requestBody()));
            conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.var("third")));
            for (int i = 0; i < 3; i++) {
                assertEquals(Frames.RPC_EXTRA_INFO, conn.read());
                answers.add(new String(conn.reader.extraInfoResp(conn.payload()), StandardCharsets.UTF_8));
            }
            conn.send(type, conn.writer.reqAction(0, ReqAction.rewrite().path("/" + String.join("+", answers)).build()));
        }); RunnerClient client = client().build()) {
            List<ExtraInfo> asked = new ArrayList<>();

            ReqAction action = client.httpReqCall(CONF, CALL, question -> {
                asked.add(question);
                return utf8(question instanceof ExtraInfo.Var ? ((ExtraInfo.Var) question).name() : "body");
            });

            assertEquals(List.of(ExtraInfo.var("first"), ExtraInfo.requestBody(), ExtraInfo.var("third")), asked);
            assertEquals("/first+body+third", ((ReqAction.Rewrite) action).path().orElseThrow());
            assertEquals(List.of(), runner.failures);
        }
    }

    @Test
    void aMissingValueIsSentAsAnAbsentResultAndAnEmptyOneAsEmpty() throws Exception {
        List<byte[]> results = new ArrayList<>();
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                for (String name : List.of("missing", "empty")) {
                    conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.var(name)));
                    conn.read();
                    results.add(conn.reader.extraInfoResp(conn.payload()));
                }
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            client.httpReqCall(CONF, CALL, question -> ((ExtraInfo.Var) question).name().equals("empty") ? new byte[0] : null);

            assertNull(results.get(0));
            assertArrayEquals(new byte[0], results.get(1));
        }
    }

    @Test
    void theConnectionOfAPrepareConfIsClosedSoADuplicateAnswerIsNeverRead() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_PREPARE_CONF) {
                long token = conn.answerPrepareConf();
                conn.send(Frames.RPC_PREPARE_CONF, conn.writer.prepareConfResp(token)); // as the Java runner does
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            for (int i = 0; i < 5; i++) {
                assertSame(ReqAction.none(), client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));
            }

            assertEquals(2, runner.accepted.get(), "one connection for PrepareConf, one reused for the calls");
        }
    }

    @Test
    void aPooledConnectionWithUnreadBytesIsClosedInsteadOfReused() throws Exception {
        CountDownLatch pooled = new CountDownLatch(1);
        CountDownLatch strayed = new CountDownLatch(1);
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            ScriptedRunner.plainAnswer(conn, type);
            if (type == Frames.RPC_HTTP_REQ_CALL && pooled.await(30, TimeUnit.SECONDS)) {
                conn.send(Frames.RPC_ERROR, conn.writer.err(1)); // a stray frame after the answer
                strayed.countDown();
            }
        }); RunnerClient client = client().build()) {
            client.httpReqCall(CONF, CALL, ExtraInfoHandler.none());
            assertEquals(1, client.idleConnections());
            pooled.countDown();
            assertTrue(strayed.await(30, TimeUnit.SECONDS));
            // The client's I/O thread reads whatever a pooled connection receives; unasked bytes close it.
            Await.until("the stray frame to close the pooled connection", () -> client.idleConnections() == 0);

            assertSame(ReqAction.none(), client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));
            assertEquals(3, runner.accepted.get());
        }
    }

    @Test
    void aPooledConnectionTheRunnerClosedIsNotReused() throws Exception {
        try (ScriptedRunner runner = new ScriptedRunner(socket(), conn -> {
            ScriptedRunner.plainAnswer(conn, conn.read()); // one RPC per connection, like APISIX's test mock
        }); RunnerClient client = client().build()) {
            for (int i = 0; i < 5; i++) {
                assertSame(ReqAction.none(), client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));
            }
            assertEquals(6, runner.accepted.get());
        }
    }

    @Test
    void aCallTheRunnerHungUpOnUnreadIsSentOnceMoreOnAFreshConnection() throws Exception {
        CountDownLatch written = new CountDownLatch(1);
        try (ScriptedRunner runner = new ScriptedRunner(socket(), conn -> {
            while (true) {
                int type = conn.read();
                if (type == FrameChannel.END_OF_STREAM) {
                    return;
                }
                ScriptedRunner.plainAnswer(conn, type);
                if (type == Frames.RPC_HTTP_REQ_CALL && conn.runner.calls.get() == 1 && written.await(30, TimeUnit.SECONDS)) {
                    conn.channel.close(); // the next call unread: the client's end is reset
                    return;
                }
            }
        }); RunnerClient client = client().build()) {
            client.httpReqCall(CONF, CALL, ExtraInfoHandler.none());
            // a cached token: the frame is out on the pooled connection when this returns
            CompletableFuture<ReqAction> second = client.httpReqCallAsync(CONF, CALL, ExtraInfoHandler.none())
                    .toCompletableFuture();
            written.countDown();

            assertSame(ReqAction.none(), second.get(30, TimeUnit.SECONDS));
            assertEquals(3, runner.accepted.get(), "PrepareConf's connection, the pooled one, a fresh one");
            assertEquals(2, runner.calls.get(), "the runner read the second call once, on the fresh connection");
        }
    }

    @Test
    void aCallTheRunnerReadBeforeHangingUpFailsAtOnceInsteadOfReachingItTwice() throws Exception {
        AtomicInteger callsRead = new AtomicInteger();
        try (ScriptedRunner runner = new ScriptedRunner(socket(), conn -> {
            int calls = 0;
            while (true) {
                int type = conn.read();
                if (type == FrameChannel.END_OF_STREAM) {
                    return;
                }
                if (type == Frames.RPC_HTTP_REQ_CALL) {
                    callsRead.incrementAndGet();
                    if (++calls == 2) {
                        return; // hang up on the second call of each connection, having read it
                    }
                }
                ScriptedRunner.plainAnswer(conn, type);
            }
        }); RunnerClient client = client().build()) {
            client.httpReqCall(CONF, CALL, ExtraInfoHandler.none());

            RunnerException e = assertThrows(RunnerException.class,
                    () -> client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertEquals(RunnerException.Kind.IO, e.kind());
            assertEquals("connection closed by the runner while waiting for the answer to RPC_HTTP_REQ_CALL", e.getMessage());
            assertEquals(2, callsRead.get(), "each call reached the runner once");
            assertSame(ReqAction.none(), client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()), "the next call");
        }
    }

    @Test
    void aPrepareConfTheRunnerReadBeforeHangingUpIsSentOnceMore() throws Exception {
        AtomicInteger preparesRead = new AtomicInteger();
        try (ScriptedRunner runner = new ScriptedRunner(socket(), conn -> {
            while (true) {
                int type = conn.read();
                if (type == FrameChannel.END_OF_STREAM) {
                    return;
                }
                if (type == Frames.RPC_PREPARE_CONF && preparesRead.incrementAndGet() == 2) {
                    return; // hang up on the second PrepareConf, having read it
                }
                ScriptedRunner.plainAnswer(conn, type);
            }
        }); RunnerClient client = client().build()) {
            client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()); // a PrepareConf, then a pooled connection
            client.flushTokens();

            // the next PrepareConf goes on the pooled connection, where the runner hangs up on it
            assertSame(ReqAction.none(), client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertEquals(3, preparesRead.get());
            assertEquals(2, runner.calls.get());
        }
    }

    @Test
    void aFreshConnectionThatBreaksBeforeAnyAnswerFailsTheCall() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.channel.close();
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            RunnerException e = assertThrows(RunnerException.class, () -> client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertEquals(RunnerException.Kind.IO, e.kind());
            assertEquals("connection closed by the runner while waiting for the answer to RPC_HTTP_REQ_CALL", e.getMessage());
            assertEquals(2, runner.accepted.get());
        }
    }

    @Test
    void idleConnectionsAreCappedAtMaxIdleConnections() throws Exception {
        CountDownLatch together = new CountDownLatch(6);
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                together.countDown();
                together.await(30, TimeUnit.SECONDS); // six calls in flight at once, on six connections
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().maxIdleConnections(2).threads(6).build()) {
            client.confToken(CONF);
            List<CompletableFuture<ReqAction>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(client.httpReqCallAsync(CONF, CALL, ExtraInfoHandler.none()).toCompletableFuture());
            }
            calls.forEach(CompletableFuture::join);

            assertEquals(7, runner.accepted.get());
            assertEquals(2, client.idleConnections());
        }
    }

    @Test
    void aConnectionIdleLongerThanTheIdleTimeoutIsNotReused() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), ScriptedRunner::plainAnswer);
             RunnerClient client = client().idleTimeout(Duration.ofNanos(1)).build()) {
            for (int i = 0; i < 3; i++) {
                client.httpReqCall(CONF, CALL, ExtraInfoHandler.none());
            }
            assertEquals(4, runner.accepted.get());
        }
    }

    @Test
    void concurrentFirstCallsShareOnePrepareConf() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_PREPARE_CONF) {
                arrived.countDown();
                release.await(30, TimeUnit.SECONDS);
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().threads(16).build()) {
            List<CompletableFuture<Long>> tokens = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                tokens.add(client.confTokenAsync(CONF).toCompletableFuture());
            }
            assertTrue(arrived.await(30, TimeUnit.SECONDS));
            // No thread waits: the 15 later callers hold the first one's PrepareConf stage.
            assertTrue(tokens.stream().noneMatch(CompletableFuture::isDone), "a token came before the runner answered");
            release.countDown();

            Set<Long> distinct = ConcurrentHashMap.newKeySet();
            tokens.forEach(token -> distinct.add(token.join()));
            assertEquals(1, distinct.size());
            assertEquals(1, runner.prepares.get());
        }
    }

    @Test
    void aTokenIsKeptPerConfIdAndVersion() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), ScriptedRunner::plainAnswer);
             RunnerClient client = client().build()) {
            long v1 = client.confToken(conf("a", 1));
            assertEquals(v1, client.confToken(conf("a", 1)));
            long v2 = client.confToken(conf("a", 2));
            long other = client.confToken(conf("b", 1));

            assertEquals(3, runner.prepares.get());
            assertTrue(v1 != v2 && v2 != other, v1 + " " + v2 + " " + other);
            assertEquals(2, client.tokens().size(), "a new version replaces the old one");
        }
    }

    @Test
    void anExpiredTokenIsPreparedAgain() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), ScriptedRunner::plainAnswer);
             RunnerClient client = client().tokenTtl(Duration.ofNanos(1)).build()) {
            client.httpReqCall(CONF, CALL, ExtraInfoHandler.none());
            client.httpReqCall(CONF, CALL, ExtraInfoHandler.none());

            assertEquals(2, runner.prepares.get());
        }
    }

    @Test
    void confTokenNotFoundDropsEveryTokenAndTheCallSucceedsWithANewOne() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL && conn.runner.calls.getAndIncrement() == 1) {
                conn.send(Frames.RPC_ERROR, conn.writer.err(RunnerException.CONF_TOKEN_NOT_FOUND));
                return;
            }
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.send(type, conn.writer.reqAction(0, ReqAction.none()));
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            client.confToken(conf("other", 1));
            client.httpReqCall(CONF, CALL, ExtraInfoHandler.none());

            assertSame(ReqAction.none(), client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertEquals(3, runner.prepares.get(), "other, CONF, CONF again after the error");
            assertEquals(1, client.tokens().size(), "the other conf's token was dropped too");
        }
    }

    @Test
    void aRunnerThatNeverKnowsTheTokenFailsTheCallAfterThreeAttempts() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.runner.calls.incrementAndGet();
                conn.send(Frames.RPC_ERROR, conn.writer.err(RunnerException.CONF_TOKEN_NOT_FOUND));
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            RunnerException e = assertThrows(RunnerException.class, () -> client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertTrue(e.isConfTokenNotFound(), e.toString());
            assertEquals("runner error: conf token not found", e.getMessage());
            assertEquals(3, runner.prepares.get());
            assertEquals(3, runner.calls.get());
        }
    }

    @Test
    void confTokenNotFoundOnPrepareConfIsRetriedToo() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            conn.runner.prepares.incrementAndGet();
            conn.send(Frames.RPC_ERROR, conn.writer.err(RunnerException.CONF_TOKEN_NOT_FOUND));
        }); RunnerClient client = client().build()) {
            RunnerException e = assertThrows(RunnerException.class, () -> client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertTrue(e.isConfTokenNotFound());
            assertEquals(3, runner.prepares.get());
        }
    }

    @Test
    void otherRunnerErrorsFailAtOnce() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_RESP_CALL) {
                conn.runner.calls.incrementAndGet();
                conn.send(Frames.RPC_ERROR, conn.writer.err(RunnerException.SERVICE_UNAVAILABLE));
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            RunnerException e = assertThrows(RunnerException.class,
                    () -> client.httpRespCall(CONF, HttpRespCall.builder().build(), ExtraInfoHandler.none()));

            assertEquals(RunnerException.Kind.RUNNER_ERROR, e.kind());
            assertEquals(RunnerException.SERVICE_UNAVAILABLE, e.runnerCode());
            assertEquals("runner error: service unavailable", e.getMessage());
            assertEquals(1, runner.calls.get());
            assertEquals(0, client.idleConnections(), "a failed call's connection is closed");
        }
    }

    @Test
    void anAnswerOfTheWrongTypeIsAProtocolError() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.send(Frames.RPC_PREPARE_CONF, conn.writer.prepareConfResp(1));
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            RunnerException e = assertThrows(RunnerException.class, () -> client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertEquals(RunnerException.Kind.PROTOCOL, e.kind());
            assertEquals("unexpected type 1 (RPC_PREPARE_CONF) while waiting for the answer to RPC_HTTP_REQ_CALL "
                    + "(expected: RPC_HTTP_REQ_CALL, RPC_EXTRA_INFO or RPC_ERROR)", e.getMessage());
        }
    }

    @Test
    void noRunnerListeningIsAConnectError() {
        try (RunnerClient client = client().build()) {
            RunnerException e = assertThrows(RunnerException.class, () -> client.confToken(CONF));

            assertEquals(RunnerException.Kind.CONNECT, e.kind());
            assertTrue(e.getMessage().startsWith("cannot connect to " + socket()), e.getMessage());
        }
    }

    @Test
    void aRunnerThatDoesNotAnswerTimesOutAfterTheReadTimeout() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                done.await(30, TimeUnit.SECONDS);
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().readTimeout(Duration.ofMillis(200)).build()) {
            client.confToken(CONF);
            long start = System.nanoTime();

            RunnerException e = assertThrows(RunnerException.class, () -> client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(RunnerException.Kind.TIMEOUT, e.kind());
            assertEquals("read timed out", e.getMessage());
            assertTrue(tookMillis >= 190 && tookMillis < 5_000, tookMillis + " ms");
            done.countDown();
        }
    }

    @Test
    void aCallLargerThanTheFrameLimitIsRefusedBeforeAnyByteIsSent() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), ScriptedRunner::plainAnswer);
             RunnerClient client = client().build()) {
            client.confToken(CONF);
            HttpReqCall huge = HttpReqCall.builder().addHeader("x-big", "x".repeat(Frames.MAX_PAYLOAD)).build();

            RunnerException e = assertThrows(RunnerException.class, () -> client.httpReqCall(CONF, huge, ExtraInfoHandler.none()));

            assertEquals(RunnerException.Kind.PROTOCOL, e.kind());
            assertTrue(e.getMessage().matches("payload to send: \\d+ bytes \\(expected: <= 16777215\\)"), e.getMessage());
            assertEquals(0, runner.calls.get());
            assertSame(ReqAction.none(), client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));
        }
    }

    @Test
    void anAnswerLargerThanTheConfiguredLimitIsRefused() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.send(type, conn.writer.reqAction(0, ReqAction.stop().body(new byte[2048]).build()));
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().maxPayload(1024).build()) {
            RunnerException e = assertThrows(RunnerException.class, () -> client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertEquals(RunnerException.Kind.PROTOCOL, e.kind());
            assertTrue(e.getMessage().matches("received payload of RPC_HTTP_REQ_CALL: \\d+ bytes \\(expected: <= 1024\\)"),
                    e.getMessage());
        }
    }

    @Test
    void anExtraInfoAnswerLargerThanTheLimitFailsTheCall() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.requestBody()));
                conn.read();
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().maxPayload(1024).build()) {
            RunnerException e = assertThrows(RunnerException.class,
                    () -> client.httpReqCall(CONF, CALL, question -> new byte[4096]));

            assertEquals(RunnerException.Kind.PROTOCOL, e.kind());
            assertEquals("answer to ExtraInfo.ReqBody: 4096 bytes (expected: <= 1024)", e.getMessage());
        }
    }

    @Test
    void aFailingExtraInfoHandlerFailsTheCallAndClosesTheConnection() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.var("v")));
                conn.read();
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            RunnerException e = assertThrows(RunnerException.class, () -> client.httpReqCall(CONF, CALL, question -> {
                throw new IllegalStateException("no body here");
            }));

            assertEquals(RunnerException.Kind.HANDLER, e.kind());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals(0, client.idleConnections());
        }
    }

    @Test
    void asyncCallsRunOnTheClientsThreadsAndReportFailuresAsTheCause() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.var("v")));
                conn.read();
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            List<String> threads = new ArrayList<>();

            client.httpReqCallAsync(CONF, CALL, question -> {
                threads.add(Thread.currentThread().getName());
                return new byte[0];
            }).toCompletableFuture().get(30, TimeUnit.SECONDS);
            runner.close();
            CompletableFuture<Reply> failing = client.httpRespCallAsync(CONF, HttpRespCall.builder().build(),
                    ExtraInfoHandler.none()).toCompletableFuture();

            assertEquals("gatekit-runner-io", threads.get(0)); // the client's I/O thread, not the caller's
            CompletionException e = assertThrows(CompletionException.class, failing::join);
            assertEquals(RunnerException.Kind.CONNECT, assertInstanceOf(RunnerException.class, e.getCause()).kind());
        }
    }

    @Test
    void aCallNeverGoesOnAPooledConnectionClosedForUnaskedBytesWhileItIsTaken() throws Exception {
        CountDownLatch pooled = new CountDownLatch(1);
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            ScriptedRunner.plainAnswer(conn, type);
            if (type == Frames.RPC_HTTP_REQ_CALL && conn.runner.calls.get() == 1 && pooled.await(30, TimeUnit.SECONDS)) {
                conn.send(Frames.RPC_ERROR, conn.writer.err(1)); // unasked: the client closes this connection
            }
        }); RunnerClient client = client().build()) {
            assertRacingCallIsAnswered(runner, client, pooled);
        }
    }

    @Test
    void aCallNeverGoesOnAPooledConnectionClosedForTheRunnersEndOfStreamWhileItIsTaken() throws Exception {
        CountDownLatch pooled = new CountDownLatch(1);
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            ScriptedRunner.plainAnswer(conn, type);
            if (type == Frames.RPC_HTTP_REQ_CALL && conn.runner.calls.get() == 1 && pooled.await(30, TimeUnit.SECONDS)) {
                // The client sees the end of the stream, yet what it writes still arrives, as with a peer
                // whose close is deferred (a JDK channel closed while registered with a selector).
                conn.channel.shutdownOutput();
            }
        }); RunnerClient client = client().build()) {
            assertRacingCallIsAnswered(runner, client, pooled);
        }
    }

    /**
     * Pools a connection, lets the runner spoil it, and, the moment the client's I/O thread closes
     * it, makes a call from that very thread (as another caller could at that moment): the call must
     * go on another connection and be answered, not be written to the closing one and lost.
     */
    private static void assertRacingCallIsAnswered(ScriptedRunner runner, RunnerClient client, CountDownLatch pooled)
            throws Exception {
        assertSame(ReqAction.none(), client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));
        assertEquals(1, client.idleConnections());
        CompletableFuture<CompletableFuture<ReqAction>> racing = new CompletableFuture<>();
        AtomicBoolean armed = new AtomicBoolean(true);
        client.io().closeHook(() -> {
            if (armed.getAndSet(false)) {
                racing.complete(client.httpReqCallAsync(CONF, CALL, ExtraInfoHandler.none()).toCompletableFuture());
                // hold the close until the runner has the racing call, wherever it was sent
                Await.until("the runner to read the racing call", Duration.ofSeconds(10), () -> runner.calls.get() == 2);
            }
        });
        pooled.countDown();

        ReqAction answer = racing.get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);

        assertSame(ReqAction.none(), answer);
        assertEquals(2, runner.calls.get());
        assertEquals(List.of(), runner.failures);
    }

    @Test
    void aTokenOfARunnerThatWasReplacedIsNeverSentToTheNewOneWhichNumbersItsTokensAfresh() throws Exception {
        RunnerConf first = RunnerConf.builder().id("route#1").version(1).addPlugin("p", "first").build();
        RunnerConf second = RunnerConf.builder().id("route#2").version(1).addPlugin("p", "second").build();
        try (RunnerClient client = client().build()) {
            try (ScriptedRunner old = confRunner()) {
                assertEquals("first", stopBody(client.httpReqCall(first, CALL, ExtraInfoHandler.none())));
            }
            Files.deleteIfExists(socket());
            try (ScriptedRunner restarted = confRunner()) { // this client does not follow any supervisor
                assertEquals("second", stopBody(client.httpReqCall(second, CALL, ExtraInfoHandler.none())));

                // the old runner's token for "first" is the new runner's token for "second"
                assertEquals("first", stopBody(client.httpReqCall(first, CALL, ExtraInfoHandler.none())));
            }
        }
    }

    /**
     * A runner that numbers its tokens from 101 whenever it starts, as RunnerServer and the Go runner
     * count from 1, and stops every call with the value of its conf's plugin.
     */
    private ScriptedRunner confRunner() {
        Map<Long, String> confs = new ConcurrentHashMap<>();
        AtomicLong tokens = new AtomicLong(100);
        return ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_PREPARE_CONF) {
                long token = tokens.incrementAndGet();
                confs.put(token, conn.reader.prepareConf(conn.payload()).plugins().get(0).value());
                conn.runner.prepares.incrementAndGet();
                conn.send(type, conn.writer.prepareConfResp(token));
            } else if (type == Frames.RPC_HTTP_REQ_CALL) {
                String key = confs.get(conn.reader.httpReqCallToken(conn.payload()));
                if (key == null) {
                    conn.send(Frames.RPC_ERROR, conn.writer.err(RunnerException.CONF_TOKEN_NOT_FOUND));
                } else {
                    conn.send(type, conn.writer.reqAction(0, ReqAction.stop().body(utf8(key)).build()));
                }
            }
        });
    }

    private static String stopBody(ReqAction action) {
        ByteBuffer body = ((Reply) action).body();
        return StandardCharsets.UTF_8.decode(body.duplicate()).toString();
    }

    @Test
    void aCallMadeJustAfterTheRunnerClosedFailsWithConnectEveryTime() throws Exception {
        for (int i = 0; i < 200; i++) {
            try (ScriptedRunner runner = ScriptedRunner.looping(socket(), ScriptedRunner::plainAnswer);
                 RunnerClient client = client().readTimeout(Duration.ofSeconds(10)).build()) {
                client.httpReqCallAsync(CONF, CALL, ExtraInfoHandler.none()).toCompletableFuture().get(30, TimeUnit.SECONDS);
                runner.close();

                CompletableFuture<Reply> call = client.httpRespCallAsync(CONF, HttpRespCall.builder().build(),
                        ExtraInfoHandler.none()).toCompletableFuture();

                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> call.get(30, TimeUnit.SECONDS), "iteration " + i);
                assertEquals(RunnerException.Kind.CONNECT, assertInstanceOf(RunnerException.class, e.getCause()).kind(),
                        "iteration " + i + ": " + e.getCause());
            }
            Files.deleteIfExists(socket());
        }
    }

    @Test
    void anAsyncCallWithACachedTokenIsAnsweredOnTheSelectorThreadAndReusesItsConnection() throws Exception {
        List<String> answers = new ArrayList<>();
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                // every question first, then the answers, as the Java runner does
                conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.var("first")));
                conn.send(Frames.RPC_EXTRA_INFO, conn.writer.extraInfoReq(ExtraInfo.var("second")));
                for (int i = 0; i < 2; i++) {
                    assertEquals(Frames.RPC_EXTRA_INFO, conn.read());
                    answers.add(new String(conn.reader.extraInfoResp(conn.payload()), StandardCharsets.UTF_8));
                }
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            client.confToken(CONF);
            List<String> threads = new CopyOnWriteArrayList<>();

            for (int i = 0; i < 3; i++) {
                ReqAction action = client.httpReqCallAsync(CONF, CALL, question -> {
                    threads.add(Thread.currentThread().getName());
                    return utf8(((ExtraInfo.Var) question).name());
                }).toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertSame(ReqAction.none(), action);
            }

            assertEquals(List.of("first", "second", "first", "second", "first", "second"), answers);
            assertEquals(6, threads.size());
            assertTrue(threads.stream().allMatch("gatekit-runner-io"::equals), threads.toString());
            assertEquals(2, runner.accepted.get(), "one connection for PrepareConf, one reused for the calls");
            assertEquals(List.of(), runner.failures);
        }
    }

    @Test
    void anAsyncCallOnAPooledConnectionTheRunnerClosedIsSentAgainOnAFreshOne() throws Exception {
        try (ScriptedRunner runner = new ScriptedRunner(socket(), conn -> {
            ScriptedRunner.plainAnswer(conn, conn.read()); // one RPC per connection, like APISIX's test mock
        }); RunnerClient client = client().build()) {
            client.confToken(CONF);
            for (int i = 0; i < 4; i++) {
                assertSame(ReqAction.none(), client.httpReqCallAsync(CONF, CALL, ExtraInfoHandler.none())
                        .toCompletableFuture().get(30, TimeUnit.SECONDS));
            }
            assertEquals(4, runner.calls.get());
        }
    }

    @Test
    void anAsyncCallWhoseTokenTheRunnerForgotSucceedsWithANewOne() throws Exception {
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL && conn.runner.calls.getAndIncrement() == 0) {
                conn.send(Frames.RPC_ERROR, conn.writer.err(RunnerException.CONF_TOKEN_NOT_FOUND));
                return;
            }
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                conn.send(type, conn.writer.reqAction(0, ReqAction.none()));
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().build()) {
            client.confToken(CONF);

            assertSame(ReqAction.none(), client.httpReqCallAsync(CONF, CALL, ExtraInfoHandler.none())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS));

            assertEquals(2, runner.prepares.get(), "CONF, then CONF again after the error");
            assertEquals(2, runner.calls.get());
        }
    }

    @Test
    void anAsyncCallTheRunnerDoesNotAnswerTimesOutAfterTheReadTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedRunner runner = ScriptedRunner.looping(socket(), (conn, type) -> {
            if (type == Frames.RPC_HTTP_REQ_CALL) {
                release.await(30, TimeUnit.SECONDS);
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = client().readTimeout(Duration.ofSeconds(2)).build()) {
            client.confToken(CONF);

            CompletionException e = assertThrows(CompletionException.class, () -> client.httpReqCallAsync(CONF, CALL,
                    ExtraInfoHandler.none()).toCompletableFuture().join());

            assertEquals(RunnerException.Kind.TIMEOUT, assertInstanceOf(RunnerException.class, e.getCause()).kind());
            release.countDown();
        }
    }

    @Test
    void aClosedClientRefusesCalls() {
        RunnerClient client = client().build();
        client.close();

        RunnerException blocking = assertThrows(RunnerException.class, () -> client.confToken(CONF));
        CompletionException async = assertThrows(CompletionException.class,
                () -> client.httpReqCallAsync(CONF, CALL, ExtraInfoHandler.none()).toCompletableFuture().join());

        assertEquals(RunnerException.Kind.CLOSED, blocking.kind());
        assertEquals(RunnerException.Kind.CLOSED, ((RunnerException) async.getCause()).kind());
    }

    @Test
    void theBuilderChecksItsArgumentsAtOnce() {
        RunnerClient.Builder builder = RunnerClient.builder();

        assertEquals("connectTimeout: PT0S (expected: > 0)",
                assertThrows(IllegalArgumentException.class, () -> builder.connectTimeout(Duration.ZERO)).getMessage());
        assertEquals("maxPayload: 16777216 (expected: 1..16777215)",
                assertThrows(IllegalArgumentException.class, () -> builder.maxPayload(16_777_216)).getMessage());
        assertEquals("threads: 0 (expected: 1..1024)",
                assertThrows(IllegalArgumentException.class, () -> builder.threads(0)).getMessage());
        assertEquals("socketPath/runner: neither set (expected: exactly one)",
                assertThrows(IllegalStateException.class, builder::build).getMessage());
    }
}
