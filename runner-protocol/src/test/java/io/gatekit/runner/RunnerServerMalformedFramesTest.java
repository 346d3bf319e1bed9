package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java runner side ({@link RunnerServer}) receiving malformed frames from a client: it answers
 * with the protocol's error frame or closes that connection, and keeps serving its other
 * connections, the one opened before and a new one. The client here writes raw bytes on a unix
 * socket, because the real client never sends such frames.
 */
class RunnerServerMalformedFramesTest {

    /** What the server may do with the bad frame. */
    enum Outcome { ERROR_FRAME, CLOSE, ERROR_FRAME_OR_ANSWER }

    record Case(String name, byte[] bytes, boolean halfClose, Outcome outcome) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final int MAX_PAYLOAD = 64 * 1024;
    private static final AtomicInteger TRIED = new AtomicInteger();
    private static final AtomicInteger SERVED_AFTER = new AtomicInteger();
    private static final RunnerConf CONF = RunnerConf.builder().id("route#1#ext-plugin-pre-req").version(1)
            .addPlugin("stamp", "{}").build();

    @TempDir
    Path dir;

    @AfterAll
    static void report() {
        System.out.printf("bad-input runner frames (server side): %d malformed frames tried, %d calls served on "
                + "other connections afterwards%n", TRIED.get(), SERVED_AFTER.get());
    }

    private static byte[] frame(int type, int declaredLength, byte[] payload) {
        byte[] out = new byte[4 + payload.length];
        out[0] = (byte) type;
        out[1] = (byte) (declaredLength >>> 16);
        out[2] = (byte) (declaredLength >>> 8);
        out[3] = (byte) declaredLength;
        System.arraycopy(payload, 0, out, 4, payload.length);
        return out;
    }

    private static byte[] frame(int type, byte[] payload) {
        return frame(type, payload.length, payload);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    static Stream<Case> malformed() {
        MessageWriter writer = new MessageWriter();
        Random random = new Random(7);
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("a truncated header, then close", new byte[] {Frames.RPC_HTTP_REQ_CALL, 0}, true,
                Outcome.CLOSE));
        cases.add(new Case("a truncated payload, then close", frame(Frames.RPC_HTTP_REQ_CALL, 100, new byte[10]),
                true, Outcome.CLOSE));
        cases.add(new Case("a length over the server's maximum",
                frame(Frames.RPC_HTTP_REQ_CALL, MAX_PAYLOAD + 1, new byte[0]), false, Outcome.CLOSE));
        cases.add(new Case("an empty payload", frame(Frames.RPC_PREPARE_CONF, new byte[0]), false, Outcome.CLOSE));
        for (int type : new int[] {Frames.RPC_ERROR, Frames.RPC_EXTRA_INFO, 5, 0x7F, 0xFF}) {
            cases.add(new Case("a frame of type " + type + " the server does not take", frame(type,
                    bytes(writer.err(0))), false, Outcome.ERROR_FRAME));
        }
        for (int type : new int[] {Frames.RPC_PREPARE_CONF, Frames.RPC_HTTP_REQ_CALL, Frames.RPC_HTTP_RESP_CALL}) {
            for (int i = 0; i < 4; i++) {
                byte[] garbage = new byte[8 + random.nextInt(100)];
                random.nextBytes(garbage);
                cases.add(new Case("garbage FlatBuffers as " + Frames.typeName(type) + " #" + i,
                        frame(type, garbage), false, Outcome.ERROR_FRAME_OR_ANSWER));
            }
            cases.add(new Case("a root offset past the end as " + Frames.typeName(type), frame(type,
                    new byte[] {(byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 0, 0, 0}), false, Outcome.ERROR_FRAME));
        }
        cases.add(new Case("an HTTPReqCall where a PrepareConf belongs", frame(Frames.RPC_PREPARE_CONF,
                bytes(writer.httpReqCall(HttpReqCall.builder().path("/").build(), 1))), false,
                Outcome.ERROR_FRAME_OR_ANSWER));
        cases.add(new Case("a PrepareConf where an HTTPReqCall belongs", frame(Frames.RPC_HTTP_REQ_CALL,
                bytes(writer.prepareConf(CONF))), false, Outcome.ERROR_FRAME_OR_ANSWER));
        cases.add(new Case("an HTTPReqCall with a token never handed out", frame(Frames.RPC_HTTP_REQ_CALL,
                bytes(writer.httpReqCall(HttpReqCall.builder().path("/").build(), 987654))), false,
                Outcome.ERROR_FRAME));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedFrameGetsAnErrorFrameOrACloseAndTheServerKeepsServing(Case input) throws Exception {
        TRIED.incrementAndGet();
        Path socket = dir.resolve("runner.sock");
        try (RunnerServer server = RunnerServer.builder().socketPath(socket).maxPayload(MAX_PAYLOAD)
                .plugin("stamp", new RunnerPlugin() {
                    @Override
                    public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                        return ReqAction.rewrite().path("/stamped").build();
                    }
                }).build().start();
                RunnerClient before = RunnerClient.builder().socketPath(socket).build()) {
            assertServes(before);

            try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                raw.connect(UnixDomainSocketAddress.of(socket));
                raw.write(ByteBuffer.wrap(input.bytes()));
                if (input.halfClose()) {
                    raw.shutdownOutput();
                }
                byte[] answer = readUntilCloseOrFrame(raw);
                switch (input.outcome()) {
                    case CLOSE -> assertEquals(0, answer.length, "expected a close, got " + answer.length + " bytes");
                    case ERROR_FRAME -> assertTrue(answer.length >= 4 && answer[0] == Frames.RPC_ERROR,
                            "expected an RPC_ERROR frame, got " + describe(answer));
                    case ERROR_FRAME_OR_ANSWER -> assertTrue(answer.length == 0 || answer[0] == Frames.RPC_ERROR
                            || answer[0] == input.bytes()[0], "expected an error frame, a close or an answer of "
                            + "the same type, got " + describe(answer));
                }
            }

            assertServes(before);
            try (RunnerClient after = RunnerClient.builder().socketPath(socket).build()) {
                assertServes(after);
            }
            SERVED_AFTER.incrementAndGet();
        }
    }

    private static void assertServes(RunnerClient client) {
        ReqAction action = client.httpReqCall(CONF, HttpReqCall.builder().path("/").build(), ExtraInfoHandler.none());
        assertEquals("/stamped", assertInstanceOf(ReqAction.Rewrite.class, action).path().orElseThrow());
    }

    private static String describe(byte[] answer) {
        return answer.length == 0 ? "a close" : "type " + (answer[0] & 0xFF) + " (" + answer.length + " bytes)";
    }

    /** Reads one whole frame, or to the end of the stream; fails after 10 s of neither. */
    private static byte[] readUntilCloseOrFrame(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (System.nanoTime() < deadline) {
                selector.select(200);
                selector.selectedKeys().clear();
                buffer.clear();
                int n;
                try {
                    n = channel.read(buffer);
                } catch (IOException reset) {
                    return received.toByteArray();
                }
                if (n < 0) {
                    return received.toByteArray();
                }
                received.write(buffer.array(), 0, n);
                byte[] sofar = received.toByteArray();
                if (sofar.length >= 4) {
                    int length = (sofar[1] & 0xFF) << 16 | (sofar[2] & 0xFF) << 8 | sofar[3] & 0xFF;
                    if (sofar.length >= 4 + length) {
                        return sofar;
                    }
                }
            }
        }
        throw new AssertionError("the runner neither answered nor closed within 10 s; received "
                + received.size() + " bytes");
    }
}
