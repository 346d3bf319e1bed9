package io.gatekit.engine.host;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import io.gatekit.engine.internal.host.Bodies;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * A message body that streams: a {@link Flow.Publisher} of byte chunks with back-pressure, plus its
 * length when known. Request bodies flow from the client to the upstream and response bodies back
 * without being held whole, unless a plugin on the route asks for the whole body.
 *
 * <pre>{@code
 * Body.of("hello".getBytes(UTF_8));                 // whole; can be sent again on a retry
 * Body.of(publisher, contentLength);                // streamed once; -1 when the length is unknown
 * Body.empty();
 * }</pre>
 *
 * <p>A chunk belongs to the subscriber once delivered. A body built from bytes may be subscribed
 * any number of times; one built from a publisher streams once, and the engine sends it to another
 * node only while no one has subscribed to it yet. Every subscriber must either read to the end or
 * cancel: the engine runs the {@code log} phase when the response body it hands out ends either way.
 */
public interface Body extends Flow.Publisher<ByteBuffer> {

    /** The length in bytes, or -1 when unknown until the end. */
    long length();

    /**
     * Writes this body to {@code out}, one chunk at a time on {@code executor} (the next chunk is
     * asked for once the previous one is written), for hosts whose server hands them a blocking
     * stream. Completes when the body ended; on an {@link java.io.IOException} it cancels the body
     * and completes with that failure. Closes nothing.
     *
     * <pre>{@code
     * response.body().writeTo(exchange.getResponseBody(), workers).whenComplete((done, error) -> exchange.close());
     * }</pre>
     */
    default CompletionStage<Void> writeTo(OutputStream out, Executor executor) {
        requireNonNull(out, "out");
        requireNonNull(executor, "executor");
        return Bodies.writeTo(this, out, executor);
    }

    /**
     * Reads this body whole, for a host or a test that wants its bytes at once. Fails with an
     * {@link java.io.IOException} (and cancels the stream) once the body passes {@code limit} bytes.
     *
     * <pre>{@code
     * request.body().read(1 << 20).thenAccept(bytes -> upstream.send(request.uri(), bytes));
     * }</pre>
     */
    default CompletionStage<byte[]> read(long limit) {
        if (limit < 0) {
            throw Arguments.invalid("limit", limit, ">= 0");
        }
        return Bodies.collect(this, limit);
    }

    /**
     * Cancels this body unread, so that its source releases what it holds and, for a response
     * body, the call's {@code log} phase runs: for a host that will not send the body (the client
     * went away, a write failed).
     */
    default void discard() {
        Bodies.discard(this);
    }

    /** No body. */
    static Body empty() {
        return Bodies.EMPTY;
    }

    /** A whole body; the array is not copied, so do not change it afterwards. */
    static Body of(byte[] bytes) {
        requireNonNull(bytes, "bytes");
        return bytes.length == 0 ? Bodies.EMPTY : Bodies.of(bytes);
    }

    /**
     * A streamed body.
     *
     * @param length the length in bytes, or -1 when unknown
     */
    static Body of(Flow.Publisher<? extends ByteBuffer> publisher, long length) {
        requireNonNull(publisher, "publisher");
        if (length < -1) {
            throw Arguments.invalid("length", length, ">= 0, or -1 for unknown");
        }
        return Bodies.stream(publisher, length);
    }
}
