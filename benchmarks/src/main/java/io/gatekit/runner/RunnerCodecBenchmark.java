package io.gatekit.runner;

import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding and decoding of the HTTPRespCall exchange with 10 headers: the runner's answer with a
 * 1 KB body (what post-resp decodes on every request), and the call itself. Run with
 * {@code -prof gc} for bytes per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class RunnerCodecBenchmark {

    private final MessageWriter writer = new MessageWriter();
    private final MessageReader reader = new MessageReader();
    private Reply answer;
    private HttpRespCall call;

    @Setup
    public void setUp() {
        byte[] body = new byte[1024];
        Arrays.fill(body, (byte) 'b');
        Reply.Builder result = Reply.builder().status(201).body(body);
        HttpRespCall.Builder request = HttpRespCall.builder().id(123_456).status(200);
        for (int i = 0; i < 10; i++) {
            result.addHeader("x-header-" + i, "value-of-header-number-" + i);
            request.addHeader("x-header-" + i, "value-of-header-number-" + i);
        }
        answer = result.build();
        call = request.build();
    }

    /** The runner's answer (10 headers, 1 KB body): encode, then decode into a value. */
    @Benchmark
    public Reply answerEncodeDecode() {
        ByteBuffer payload = writer.respCallResult(123_456, answer);
        Reply decoded = reader.respCallResult(payload);
        if (decoded.status() != 201 || decoded.headers().size() != 10 || decoded.body().remaining() != 1024) {
            throw new IllegalStateException("decoded " + decoded);
        }
        return decoded;
    }

    /** The call (10 headers, conf token): encode, then decode as a runner would. */
    @Benchmark
    public HttpRespCall callEncodeDecode() {
        ByteBuffer payload = writer.httpRespCall(call, 42);
        HttpRespCall decoded = reader.httpRespCall(payload);
        if (decoded.id() != 123_456 || decoded.headers().size() != 10
                || !"value-of-header-number-9".equals(decoded.headers().get(9).value())) {
            throw new IllegalStateException("decoded " + decoded);
        }
        return decoded;
    }
}
