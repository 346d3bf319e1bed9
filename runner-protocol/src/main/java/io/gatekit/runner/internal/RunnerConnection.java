package io.gatekit.runner.internal;

import io.gatekit.runner.ExtraInfo;
import io.gatekit.runner.ExtraInfoHandler;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.RespCallResult;
import io.gatekit.runner.RunnerConf;
import io.gatekit.runner.RunnerException;
import io.gatekit.runner.RunnerException.Kind;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One client connection to a runner: sends one request frame and reads frames until the answer,
 * answering the runner's ExtraInfo questions in arrival order on the way (the Java runner writes
 * them all before reading any answer, so nothing may assume one question at a time).
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
    private long idleSinceNanos;
    private boolean reused;
    private boolean answered;

    public RunnerConnection(SocketChannel channel, int maxPayload, long sendTimeoutNanos, long readTimeoutNanos) {
        this.frames = new FrameChannel(channel, maxPayload);
        this.sendTimeoutNanos = sendTimeoutNanos;
        this.readTimeoutNanos = readTimeoutNanos;
        this.idleSinceNanos = System.nanoTime();
    }

    public long prepareConf(RunnerConf conf) {
        exchange(Frames.RPC_PREPARE_CONF, writer.prepareConf(conf), null);
        return reader.prepareConfResp(frames.payload());
    }

    public ReqAction httpReqCall(HttpReqCall call, long token, ExtraInfoHandler handler) {
        exchange(Frames.RPC_HTTP_REQ_CALL, writer.httpReqCall(call, token), handler);
        return reader.reqAction(frames.payload());
    }

    public RespCallResult httpRespCall(HttpRespCall call, long token, ExtraInfoHandler handler) {
        exchange(Frames.RPC_HTTP_RESP_CALL, writer.httpRespCall(call, token), handler);
        return reader.respCallResult(frames.payload());
    }

    /**
     * Sends any payload as a frame of any type and returns the answer's payload (valid until the
     * next call): a low-level door for conformance tests and tools.
     */
    public ByteBuffer rawCall(int type, ByteBuffer payload, ExtraInfoHandler handler) {
        exchange(type, payload, handler);
        return frames.payload();
    }

    /** See {@link FrameChannel#isClean()}. */
    public boolean isClean() {
        return frames.isClean();
    }

    /**
     * Whether a failed RPC may be sent again on another connection: this one came from the pool and
     * broke before a whole frame of the runner's answer arrived. Then the runner most likely closed
     * it while it sat idle (a restart, or a runner that serves one RPC per connection) and never
     * handled the request.
     */
    public boolean failedStale(RunnerException failure) {
        return failure.kind() == Kind.IO && reused && !answered;
    }

    /** Marks the connection as taken from the pool: see {@link #failedStale}. */
    void markReused() {
        reused = true;
    }

    public long idleSinceNanos() {
        return idleSinceNanos;
    }

    public void markIdle(long nowNanos) {
        idleSinceNanos = nowNanos;
    }

    @Override
    public void close() {
        frames.close();
    }

    /** Closes after discarding bytes that already arrived; see {@link FrameChannel#drainAndClose()}. */
    public void drainAndClose() {
        frames.drainAndClose();
    }

    private void exchange(int type, ByteBuffer request, ExtraInfoHandler handler) {
        answered = false;
        frames.write(type, request, sendTimeoutNanos);
        while (true) {
            int answer = frames.read(readTimeoutNanos);
            if (answer == FrameChannel.END_OF_STREAM) {
                throw new RunnerException(Kind.IO, "connection closed by the runner while waiting for the answer to "
                        + Frames.typeName(type));
            }
            answered = true;
            if (answer == type) {
                return;
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
                    + (name.startsWith("type ") ? "" : " (" + name + ")") + " while waiting for the answer to " + Frames.typeName(type) + " (expected: "
                    + Frames.typeName(type) + (handler != null ? ", RPC_EXTRA_INFO" : "") + " or RPC_ERROR)");
        }
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
            // Checked before encoding so an oversized body is not copied only to be refused.
            Frames.checkLength("answer to " + question, answer.length, frames.maxPayload());
        }
        frames.write(Frames.RPC_EXTRA_INFO, writer.extraInfoResp(answer), sendTimeoutNanos);
    }
}
