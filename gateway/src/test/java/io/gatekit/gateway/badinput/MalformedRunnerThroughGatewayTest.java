package io.gatekit.gateway.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatekit.gateway.RawHttp;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.internal.FrameChannel;
import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runner answering the gateway's ext-plugin calls with malformed frames: each request gets its
 * route's configured failure behaviour (503, or 504 for a silent runner, without
 * {@code allow_degradation}; the upstream's answer with it), and once the runner behaves again the
 * next request is served normally. A fake runner on a unix socket stands in for the real one,
 * which never sends such frames.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRunnerThroughGatewayTest {

    /** What the fake runner sends in answer to an HTTP_REQ_CALL. */
    @FunctionalInterface
    interface Answer {
        void send(SocketChannel channel, FrameChannel frames) throws IOException;
    }

    private static final Answer GOOD = (channel, frames) ->
            frames.write(Frames.RPC_HTTP_REQ_CALL, new MessageWriter().reqAction(0, ReqAction.none()), Long.MAX_VALUE);

    @TempDir
    static Path dir;
    private GatewayUnderTest gatekit;
    private ServerSocketChannel runner;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicReference<Answer> answer = new AtomicReference<>(GOOD);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger tokens = new AtomicInteger(10);

    @BeforeAll
    void start() throws IOException {
        Path socket = dir.resolve("r.sock");
        runner = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        runner.bind(UnixDomainSocketAddress.of(socket));
        threads.execute(this::accept);
        gatekit = new GatewayUnderTest(dir, "ext-plugin:\n  path_for_test: " + socket + "\n"
                + "gatekit:\n  body_buffer_limit: 64k\n");
        for (Map.Entry<String, Boolean> route : Map.of("strict", false, "lenient", true).entrySet()) {
            gatekit.gateway.engine().put(io.gatekit.engine.ResourceKind.ROUTES, route.getKey(), """
                    {"uri": "/%s", "upstream": {"nodes": {"%s": 1}},
                     "plugins": {"ext-plugin-pre-req": {"conf": [{"name": "A", "value": "x"}],
                                                        "allow_degradation": %s, "timeout": 0.5}}}"""
                    .formatted(route.getKey(), gatekit.upstream.address(), route.getValue()));
        }
    }

    @AfterAll
    void stop() throws IOException {
        closing.countDown();
        gatekit.close();
        runner.close();
        threads.shutdownNow();
    }

    private void accept() {
        while (runner.isOpen()) {
            try {
                SocketChannel channel = runner.accept();
                threads.execute(() -> serve(channel));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        FrameChannel frames = new FrameChannel(channel, Frames.MAX_PAYLOAD);
        MessageWriter writer = new MessageWriter();
        try (channel) {
            while (true) {
                int type = frames.read(Long.MAX_VALUE);
                if (type == FrameChannel.END_OF_STREAM) {
                    return;
                }
                if (type == Frames.RPC_PREPARE_CONF) {
                    frames.write(type, writer.prepareConfResp(tokens.incrementAndGet()), Long.MAX_VALUE);
                } else {
                    answer.get().send(channel, frames);
                }
            }
        } catch (RuntimeException | IOException e) {
            // the gateway closed a connection it no longer trusts: the end of this one
        }
    }

    private static void raw(SocketChannel channel, byte... bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static byte[] header(int type, int length) {
        return new byte[] {(byte) type, (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    @Test
    void everyMalformedAnswerGetsTheRoutesFailureBehaviourAndTheNextGoodAnswerServes() throws Exception {
        Map<String, Answer> misbehaviours = new java.util.LinkedHashMap<>();
        misbehaviours.put("a truncated header, then close", (c, f) -> {
            raw(c, (byte) Frames.RPC_HTTP_REQ_CALL, (byte) 0);
            c.close();
        });
        misbehaviours.put("a truncated payload, then close", (c, f) -> {
            raw(c, header(Frames.RPC_HTTP_REQ_CALL, 100));
            raw(c, new byte[10]);
            c.close();
        });
        misbehaviours.put("a header promising the largest payload, never sent", (c, f) -> raw(c, header(Frames.RPC_HTTP_REQ_CALL,
                Frames.MAX_PAYLOAD)));
        misbehaviours.put("an unknown frame type", (c, f) -> {
            raw(c, header(0x7F, 4));
            raw(c, new byte[4]);
        });
        misbehaviours.put("garbage FlatBuffers", (c, f) -> {
            raw(c, header(Frames.RPC_HTTP_REQ_CALL, 8));
            raw(c, new byte[] {(byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F, 1, 2, 3, 4});
        });
        misbehaviours.put("a PrepareConf answer in place of the call's", (c, f) ->
                f.write(Frames.RPC_PREPARE_CONF, new MessageWriter().prepareConfResp(1), Long.MAX_VALUE));
        misbehaviours.put("silence", (c, f) -> {
            try {
                closing.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int tried = 0;
        int lost = 0;
        for (Map.Entry<String, Answer> m : misbehaviours.entrySet()) {
            answer.set(m.getValue());
            // a runner that stays silent, or never sends the payload it announced, is a slow runner: 504
            int expected = m.getKey().equals("silence") || m.getKey().contains("never sent") ? 504 : 503;
            for (String path : List.of("/strict", "/lenient")) {
                tried++;
                RawHttp.Response response = get(path);
                int want = path.equals("/strict") ? expected : 200;
                if (response.status() != want) {
                    lost++;
                }
                assertEquals(want, response.status(), m.getKey() + " on " + path + ": " + response.text());
                if (want == 200) {
                    assertEquals("ok " + path, response.text(), m.getKey());
                }
            }
            answer.set(GOOD);
            tried++;
            RawHttp.Response recovered = get("/strict");
            assertEquals("ok /strict", recovered.text(), m.getKey() + ": the next call after it");
        }
        System.out.printf("bad-input runner frames through the gateway: %d malformed answers, %d requests, %d lost%n",
                misbehaviours.size(), tried, lost);
    }

    @Test
    void aBodyBufferedForTheRunnerIsCappedAtBodyBufferLimitWith413() throws Exception {
        answer.set(GOOD);
        for (String framing : List.of("Content-Length: " + 100 * 1024 + "\r\n\r\n" + "b".repeat(100 * 1024),
                "Transfer-Encoding: chunked\r\n\r\n" + ("4000\r\n" + "b".repeat(0x4000) + "\r\n").repeat(7)
                        + "0\r\n\r\n")) {
            try (RawHttp client = new RawHttp(gatekit.port())) {
                client.send("POST /strict HTTP/1.1\r\nHost: x\r\n" + framing);

                assertEquals(413, client.read().status());
            }
        }
        assertEquals("ok /strict", get("/strict").text());
    }

    private RawHttp.Response get(String path) throws IOException {
        try (RawHttp client = new RawHttp(gatekit.port())) {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
        }
    }
}
