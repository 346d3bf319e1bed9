package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A runner that answers a call with a malformed frame: the call fails with a protocol, I/O or
 * timeout error that says what was wrong, the broken connection is not pooled, no thread is left
 * waiting, and the next call, on a fresh connection, works. A scripted fake runner stands in for
 * the real one here because no real runner sends these frames on purpose.
 */
class MalformedRunnerFramesTest {

    /** What the runner sends instead of a good answer to an HTTP_REQ_CALL. */
    @FunctionalInterface
    interface Misbehaviour {
        void answer(ScriptedRunner.Conn conn) throws Exception;
    }

    record Case(String name, Misbehaviour misbehaviour, RunnerException.Kind kind, List<String> mentions) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final AtomicInteger TRIED = new AtomicInteger();
    private static final AtomicInteger RECOVERED = new AtomicInteger();
    private static final int MAX_PAYLOAD = 64 * 1024;
    private static final RunnerConf CONF = RunnerConf.builder().id("route#1#ext-plugin-pre-req").version(1)
            .addPlugin("p", "{}").build();
    private static final HttpReqCall CALL = HttpReqCall.builder().path("/").build();

    @TempDir
    Path dir;

    @AfterAll
    static void report() {
        System.out.printf("bad-input runner frames (client side): %d malformed answers tried, %d next calls "
                + "served on a fresh connection%n", TRIED.get(), RECOVERED.get());
    }

    private static byte[] header(int type, int length) {
        return new byte[] {(byte) type, (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    private static byte[] frame(int type, byte[] payload) {
        byte[] out = new byte[4 + payload.length];
        System.arraycopy(header(type, payload.length), 0, out, 0, 4);
        System.arraycopy(payload, 0, out, 4, payload.length);
        return out;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    static Stream<Case> malformed() {
        List<Case> cases = new ArrayList<>();
        Random random = new Random(42);
        cases.add(new Case("a truncated frame header, then close", conn -> {
            conn.sendBytes(new byte[] {Frames.RPC_HTTP_REQ_CALL, 0});
            conn.channel.shutdownOutput();
        }, RunnerException.Kind.IO, List.of("header")));
        cases.add(new Case("a truncated payload, then close", conn -> {
            conn.sendBytes(header(Frames.RPC_HTTP_REQ_CALL, 100));
            conn.sendBytes(new byte[10]);
            conn.channel.shutdownOutput();
        }, RunnerException.Kind.IO, List.of("100")));
        cases.add(new Case("a length over the maximum frame size",
                conn -> conn.sendBytes(header(Frames.RPC_HTTP_REQ_CALL, MAX_PAYLOAD + 1)),
                RunnerException.Kind.PROTOCOL, List.of(Integer.toString(MAX_PAYLOAD + 1), Integer.toString(MAX_PAYLOAD))));
        cases.add(new Case("the largest length a header can say",
                conn -> conn.sendBytes(header(Frames.RPC_HTTP_REQ_CALL, Frames.MAX_PAYLOAD)),
                RunnerException.Kind.PROTOCOL, List.of(Integer.toString(Frames.MAX_PAYLOAD))));
        cases.add(new Case("an empty payload", conn -> conn.sendBytes(header(Frames.RPC_HTTP_REQ_CALL, 0)),
                RunnerException.Kind.PROTOCOL, List.of("empty")));
        for (int type : new int[] {5, 0x7F, 0xFF}) {
            cases.add(new Case("an unknown frame type " + type,
                    conn -> conn.sendBytes(frame(type, bytes(new MessageWriter().reqAction(0, ReqAction.none())))),
                    RunnerException.Kind.PROTOCOL, List.of("type " + type)));
        }
        for (int i = 0; i < 8; i++) {
            byte[] garbage = new byte[8 + random.nextInt(120)];
            random.nextBytes(garbage);
            cases.add(new Case("garbage FlatBuffers bytes #" + i,
                    conn -> conn.sendBytes(frame(Frames.RPC_HTTP_REQ_CALL, garbage)),
                    RunnerException.Kind.PROTOCOL, List.of("cannot decode HTTPReqCall.Resp")));
        }
        cases.add(new Case("a root offset past the end", conn -> conn.sendBytes(frame(Frames.RPC_HTTP_REQ_CALL,
                new byte[] {(byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 0, 0, 0})),
                RunnerException.Kind.PROTOCOL, List.of("cannot decode HTTPReqCall.Resp")));
        cases.add(new Case("a payload shorter than a root offset",
                conn -> conn.sendBytes(frame(Frames.RPC_HTTP_REQ_CALL, new byte[] {1, 2})),
                RunnerException.Kind.PROTOCOL, List.of("cannot decode HTTPReqCall.Resp")));
        cases.add(new Case("a valid PrepareConf answer in place of a call answer",
                conn -> conn.send(Frames.RPC_PREPARE_CONF, conn.writer.prepareConfResp(7)),
                RunnerException.Kind.PROTOCOL, List.of("type 1 (RPC_PREPARE_CONF)", "expected: RPC_HTTP_REQ_CALL")));
        cases.add(new Case("a valid response-call answer in place of a request-call answer",
                conn -> conn.send(Frames.RPC_HTTP_RESP_CALL, conn.writer.respCallResult(0, Reply.empty())),
                RunnerException.Kind.PROTOCOL, List.of("type 4 (RPC_HTTP_RESP_CALL)", "expected: RPC_HTTP_REQ_CALL")));
        cases.add(new Case("garbage in an error frame", conn -> conn.sendBytes(frame(Frames.RPC_ERROR,
                new byte[] {(byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F, 1, 2, 3})),
                RunnerException.Kind.PROTOCOL, List.of("cannot decode Err.Resp")));
        cases.add(new Case("garbage in an ExtraInfo question", conn -> conn.sendBytes(frame(Frames.RPC_EXTRA_INFO,
                new byte[] {(byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F, 1, 2, 3})),
                RunnerException.Kind.PROTOCOL, List.of("cannot decode ExtraInfo.Req")));
        cases.add(new Case("silence", conn -> { }, RunnerException.Kind.TIMEOUT, List.of("timed out")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedAnswerFailsTheCallClearlyAndTheNextCallWorksOnAFreshConnection(Case input) throws Exception {
        TRIED.incrementAndGet();
        AtomicInteger connections = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Path socket = dir.resolve("runner.sock");
        try (ScriptedRunner runner = ScriptedRunner.looping(socket, (conn, type) -> {
            boolean first = connections.get() <= 1;
            if (type == Frames.RPC_HTTP_REQ_CALL && first) {
                input.misbehaviour().answer(conn);
                // keep the connection open (for the silent case) until the test ends
                release.await(10, TimeUnit.SECONDS);
                return;
            }
            ScriptedRunner.plainAnswer(conn, type);
        }); RunnerClient client = RunnerClient.builder().socketPath(socket).maxPayload(MAX_PAYLOAD)
                .readTimeout(Duration.ofMillis(500)).build()) {
            client.confToken(CONF);
            connections.set(1);

            RunnerException e = assertThrows(RunnerException.class,
                    () -> client.httpReqCall(CONF, CALL, ExtraInfoHandler.none()));

            assertEquals(input.kind(), e.kind(), () -> input.name() + ": " + e.getMessage());
            for (String word : input.mentions()) {
                assertTrue(e.getMessage().contains(word), () -> input.name() + ": '" + e.getMessage()
                        + "' should mention " + word);
            }
            assertEquals(0, client.idleConnections(), "the broken connection must not be pooled");
            connections.set(2);
            release.countDown();
            ReqAction next = client.httpReqCall(CONF, CALL, ExtraInfoHandler.none());
            assertInstanceOf(ReqAction.None.class, next);
            RECOVERED.incrementAndGet();
            assertTrue(runner.accepted.get() >= 2, "the next call must use a fresh connection");
            assertEquals(List.of(), runner.failures);
        }
    }
}
