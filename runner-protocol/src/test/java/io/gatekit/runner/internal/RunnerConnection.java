package io.gatekit.runner.internal;

import io.gatekit.runner.ExtraInfo;
import io.gatekit.runner.ExtraInfoHandler;
import io.gatekit.runner.RunnerException;
import io.gatekit.runner.RunnerException.Kind;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A connection of its own to a runner for raw frames, outside the client and its pool: conformance
 * tests send any frame of any type and read the answer, the runner's ExtraInfo questions
 * answered in arrival order on the way (the Java runner writes them all before reading any answer).
 *
 * <p>Not thread-safe: one RPC at a time. After any failure the connection must be closed, as the
 * runner's view of the exchange is unknown.
 */
public final class RunnerConnection implements AutoCloseable {

    private final FrameChannel frames;
    private final MessageWriter writer = new MessageWriter();
    private final MessageReader reader = new MessageReader();
    private final long sendTimeoutNanos;
    private final long readTimeoutNanos;

    /** A new connection to the runner on {@code socketPath}, with a client's default timeouts and payload limit. */
    public static RunnerConnection open(Path socketPath) {
        return new RunnerConnection(UnixSockets.connect(socketPath, TimeUnit.SECONDS.toNanos(1)), Frames.MAX_PAYLOAD,
                TimeUnit.SECONDS.toNanos(60), TimeUnit.SECONDS.toNanos(60));
    }

    public RunnerConnection(SocketChannel channel, int maxPayload, long sendTimeoutNanos, long readTimeoutNanos) {
        this.frames = new FrameChannel(channel, maxPayload);
        this.sendTimeoutNanos = sendTimeoutNanos;
        this.readTimeoutNanos = readTimeoutNanos;
    }

    /**
     * Sends any payload as a frame of any type and returns the answer's payload (valid until the
     * next call). ExtraInfo questions go to {@code handler}; without one they are a protocol error.
     */
    public ByteBuffer rawCall(int type, ByteBuffer payload, ExtraInfoHandler handler) {
        frames.write(type, payload, sendTimeoutNanos);
        while (true) {
            int answer = frames.read(readTimeoutNanos);
            if (answer == FrameChannel.END_OF_STREAM) {
                throw new RunnerException(Kind.IO, "connection closed by the runner while waiting for the answer to "
                        + Frames.typeName(type));
            }
            if (answer == type) {
                return frames.payload();
            }
            if (answer == Frames.RPC_ERROR) {
                throw RunnerException.runnerError(reader.err(frames.payload()));
            }
            if (answer == Frames.RPC_EXTRA_INFO && handler != null) {
                answerExtraInfo(handler);
                continue;
            }
            String name = Frames.typeName(answer);
            throw new RunnerException(Kind.PROTOCOL, "unexpected type " + answer
                    + (name.startsWith("type ") ? "" : " (" + name + ")") + " while waiting for the answer to "
                    + Frames.typeName(type) + " (expected: " + Frames.typeName(type)
                    + (handler != null ? ", RPC_EXTRA_INFO" : "") + " or RPC_ERROR)");
        }
    }

    @Override
    public void close() {
        frames.close();
    }

    private void answerExtraInfo(ExtraInfoHandler handler) {
        ExtraInfo question = reader.extraInfoReq(frames.payload());
        byte[] answer;
        try {
            answer = handler.answer(question);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerException(Kind.HANDLER, "interrupted while answering " + question, e);
        } catch (Exception e) {
            throw new RunnerException(Kind.HANDLER, "cannot answer " + question + ": " + e, e);
        }
        if (answer != null) {
            Frames.checkLength("answer to " + question, answer.length, frames.maxPayload());
        }
        frames.write(Frames.RPC_EXTRA_INFO, writer.extraInfoResp(answer), sendTimeoutNanos);
    }
}
