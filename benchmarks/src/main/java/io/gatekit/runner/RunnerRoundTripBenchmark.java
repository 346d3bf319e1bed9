package io.gatekit.runner;

import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P7: one ext-plugin round trip (RunnerClient to RunnerServer, an HTTPRespCall with 10 headers
 * answered by a plugin with a small result) against a raw unix-socket exchange of the very same
 * bytes: the raw client writes the call's frame as the client encodes it and the raw peer answers
 * with the frame the runner sends, so the difference is the protocol stack alone (encoding,
 * decoding, token cache, pool, dispatch). Sample mode gives p50 and p99; goal p50 within 2x and p99
 * within 3x of the raw exchange.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class RunnerRoundTripBenchmark {

    private static final Reply RESULT = Reply.builder().status(299).addHeader("x-runner", "gk").build();

    private Path dir;
    private RunnerServer server;
    private RunnerClient client;
    private RunnerConf conf;
    private HttpRespCall call;
    private RawPeer raw;
    private SocketChannel rawClient;
    private ByteBuffer rawRequest;
    private ByteBuffer rawAnswer;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("gk-bench-");
        server = RunnerServer.builder().socketPath(dir.resolve("runner.sock"))
                .plugin("fixed", new RunnerPlugin() {
                    @Override
                    public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                        return RESULT;
                    }
                }).build().start();
        client = RunnerClient.builder().socketPath(server.socketPath()).build();
        conf = RunnerConf.builder().id("route#1#ext-plugin-post-resp").version(1).addPlugin("fixed", "{}").build();
        HttpRespCall.Builder request = HttpRespCall.builder().id(7).status(200);
        for (int i = 0; i < 10; i++) {
            request.addHeader("x-header-" + i, "value-of-header-number-" + i);
        }
        call = request.build();
        long token = client.confToken(conf);

        MessageWriter writer = new MessageWriter();
        rawRequest = frame(Frames.RPC_HTTP_RESP_CALL, writer.httpRespCall(call, token));
        byte[] answer = bytes(frame(Frames.RPC_HTTP_RESP_CALL, writer.respCallResult(call.id(), RESULT)));
        rawAnswer = ByteBuffer.allocate(answer.length);
        raw = new RawPeer(dir.resolve("raw.sock"), rawRequest.remaining(), answer);
        rawClient = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("raw.sock")));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        server.close();
        rawClient.close();
        raw.close();
        Files.deleteIfExists(dir.resolve("raw.sock"));
        Files.deleteIfExists(dir);
    }

    /** The whole client path: token from cache, pooled connection, encode, runner dispatch, decode. */
    @Benchmark
    public Reply runnerCall() {
        Reply result = client.httpRespCall(conf, call, ExtraInfoHandler.none());
        if (result.status() != 299) {
            throw new IllegalStateException("answer " + result);
        }
        return result;
    }

    /** The same bytes each way over a plain blocking unix socket, with no protocol work. */
    @Benchmark
    public ByteBuffer rawSameBytes() throws IOException {
        ByteBuffer request = rawRequest.duplicate();
        while (request.hasRemaining()) {
            rawClient.write(request);
        }
        rawAnswer.clear();
        while (rawAnswer.hasRemaining()) {
            if (rawClient.read(rawAnswer) < 0) {
                throw new IllegalStateException("raw peer closed");
            }
        }
        if (rawAnswer.get(0) != Frames.RPC_HTTP_RESP_CALL) {
            throw new IllegalStateException("raw answer type " + rawAnswer.get(0));
        }
        return rawAnswer;
    }

    private static ByteBuffer frame(int type, ByteBuffer payload) {
        ByteBuffer frame = ByteBuffer.allocate(Frames.HEADER_BYTES + payload.remaining());
        Frames.putHeader(frame, type, payload.remaining(), Frames.MAX_PAYLOAD);
        frame.position(Frames.HEADER_BYTES);
        frame.put(payload.duplicate());
        return frame.flip();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** Reads a fixed-size request and writes a fixed answer, forever, on one connection. */
    private static final class RawPeer implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Thread thread;

        RawPeer(Path socket, int requestBytes, byte[] answer) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> serve(requestBytes, answer), "raw-peer");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve(int requestBytes, byte[] answer) {
            try (SocketChannel channel = server.accept()) {
                ByteBuffer request = ByteBuffer.allocate(requestBytes);
                ByteBuffer out = ByteBuffer.wrap(answer);
                while (true) {
                    request.clear();
                    while (request.hasRemaining()) {
                        if (channel.read(request) < 0) {
                            return;
                        }
                    }
                    out.clear();
                    while (out.hasRemaining()) {
                        channel.write(out);
                    }
                }
            } catch (IOException e) {
                if (server.isOpen()) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
