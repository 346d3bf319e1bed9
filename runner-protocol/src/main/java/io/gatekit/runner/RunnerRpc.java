package io.gatekit.runner;

import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One RPC on the {@link RunnerIo} transport: what to send, how to read the answer, and where the
 * result goes. The transport's fields ({@link #deadline}, {@link #resent}, {@link #fresh}) are its own.
 */
abstract class RunnerRpc<T> {
    final int type;
    /** Answers ExtraInfo questions; {@code null} when none may come (a question is then a protocol error). */
    final ExtraInfoHandler handler;
    final CompletableFuture<T> result;
    /** When the RPC fails unless the runner sends (or the socket takes) the next frame. */
    volatile long deadline;
    /** Sent again already since its last {@link RunnerIo#submit}: it is not sent a third time. */
    boolean resent;
    /** Its next start opens a new connection instead of taking a pooled one. */
    boolean fresh;

    RunnerRpc(int type, ExtraInfoHandler handler, CompletableFuture<T> result) {
        this.type = type;
        this.handler = handler;
        this.result = result;
    }

    /** The request payload, encoded with {@code writer} (the connection's own). */
    abstract ByteBuffer encode(MessageWriter writer);

    /** The answer, decoded on the selector thread while its payload is valid. */
    abstract T decode(MessageReader reader, ByteBuffer payload);

    /** Whether the connection is closed after the answer instead of going back to the pool. */
    boolean closesConnection() {
        return false;
    }

    /**
     * Whether the runner may get this RPC twice: false by default, as a call's plugins may act
     * on each copy (count, log, call out).
     */
    boolean idempotent() {
        return false;
    }

    /**
     * Whether what the RPC carries is still good for the runner behind the connection it is
     * about to go out on: checked after the connection was found or opened (an open may have
     * found a new runner), before the RPC is encoded. True by default.
     */
    boolean stillValid() {
        return true;
    }

    /**
     * The RPC failed, and the transport is done with it (it may be submitted again). The
     * default fails {@link #result}; {@link RunnerClient} tries again where APISIX would.
     */
    void failed(RunnerException failure) {
        result.completeExceptionally(failure);
    }
}
