package io.gatekit.engine.internal.host;

import io.gatekit.api.Arguments;
import io.gatekit.engine.host.Body;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/** The engine's {@link Body} implementations, and reading one whole. */
public final class Bodies {

    /** No body. */
    public static final Body EMPTY = new Whole(new byte[0]);

    private Bodies() {
    }

    /** A whole body: replayable, one chunk. */
    public static Body of(byte[] bytes) {
        return new Whole(bytes);
    }

    /** A body streamed from {@code publisher}. */
    public static Body stream(Flow.Publisher<? extends ByteBuffer> publisher, long length) {
        return new Streamed(publisher, length);
    }

    /** The bytes of a whole body without reading it, or {@code null} when it streams. */
    static byte @io.gatekit.api.Nullable [] wholeBytes(Body body) {
        return body instanceof Whole whole ? whole.bytes : null;
    }

    /**
     * Reads {@code body} to its end; fails with {@link BodyTooLargeException} (and cancels the
     * stream) once it passes {@code limit} bytes.
     */
    public static CompletableFuture<byte[]> collect(Body body, long limit) {
        byte[] whole = wholeBytes(body);
        if (whole != null) {
            return whole.length > limit ? CompletableFuture.failedFuture(new BodyTooLargeException(limit))
                    : CompletableFuture.completedFuture(whole);
        }
        Collector collector = new Collector(limit, body.length());
        body.subscribe(collector);
        return collector.result;
    }

    /** See {@link Body#writeTo}. */
    public static CompletionStage<Void> writeTo(Body body, OutputStream out, Executor executor) {
        Writer writer = new Writer(out, executor);
        body.subscribe(writer);
        return writer.done;
    }

    /**
     * Writes chunks one at a time on an executor. The end of the body may be signalled while the
     * last chunk is still being written (a publisher needs no demand to complete), so it is
     * acted on only once no write is in flight.
     */
    private static final class Writer implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final OutputStream out;
        private final Executor executor;
        private Flow.@io.gatekit.api.Nullable Subscription subscription;
        private boolean writing;
        private @io.gatekit.api.Nullable Runnable ending;

        Writer(OutputStream out, Executor executor) {
            this.out = out;
            this.executor = executor;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(ByteBuffer chunk) {
            synchronized (this) {
                writing = true;
            }
            executor.execute(() -> {
                try {
                    if (chunk.hasArray()) {
                        out.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
                    } else {
                        byte[] bytes = new byte[chunk.remaining()];
                        chunk.get(bytes);
                        out.write(bytes);
                    }
                } catch (IOException | RuntimeException e) {
                    subscription.cancel();
                    done.completeExceptionally(e);
                    return;
                }
                Runnable end;
                synchronized (this) {
                    writing = false;
                    end = ending;
                }
                if (end != null) {
                    end.run();
                } else {
                    subscription.request(1);
                }
            });
        }

        @Override
        public void onError(Throwable error) {
            end(() -> done.completeExceptionally(error));
        }

        @Override
        public void onComplete() {
            end(() -> done.complete(null));
        }

        private void end(Runnable end) {
            synchronized (this) {
                if (writing) {
                    ending = end;
                    return;
                }
            }
            executor.execute(end);
        }
    }

    /** Cancels {@code body} unread, so its source releases what it holds. */
    public static void discard(Body body) {
        if (wholeBytes(body) != null) {
            return;
        }
        body.subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
            }

            @Override
            public void onNext(ByteBuffer item) {
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
    }

    /** A body held whole; each subscriber gets it as one chunk. */
    private static final class Whole implements Body {
        final byte[] bytes;

        Whole(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public long length() {
            return bytes.length;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            AtomicBoolean done = new AtomicBoolean();
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    if (n <= 0) {
                        if (done.compareAndSet(false, true)) {
                            subscriber.onError(Arguments.invalid("n", n, "> 0"));
                        }
                        return;
                    }
                    if (done.compareAndSet(false, true)) {
                        subscriber.onNext(ByteBuffer.wrap(bytes));
                        subscriber.onComplete();
                    }
                }

                @Override
                public void cancel() {
                    done.set(true);
                }
            });
            if (bytes.length == 0 && done.compareAndSet(false, true)) {
                subscriber.onComplete();
            }
        }

        @Override
        public String toString() {
            return "Body[" + bytes.length + " bytes]";
        }
    }

    /** A body streamed from a publisher, once. */
    private record Streamed(Flow.Publisher<? extends ByteBuffer> publisher, long length) implements Body {
        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            publisher.subscribe(subscriber);
        }
    }

    /** Reads a stream whole, up to a limit. */
    private static final class Collector implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final long limit;
        private byte[] buffer;
        private int size;
        private Flow.@io.gatekit.api.Nullable Subscription subscription;

        Collector(long limit, long length) {
            this.limit = limit;
            this.buffer = new byte[(int) Math.min(Math.max(length, 256), Math.min(limit, 1 << 20))];
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer chunk) {
            if (result.isDone()) {
                return;
            }
            int n = chunk.remaining();
            if ((long) size + n > limit) {
                subscription.cancel();
                result.completeExceptionally(new BodyTooLargeException(limit));
                return;
            }
            if (size + n > buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(Math.min(limit, Integer.MAX_VALUE - 8),
                        Math.max((long) size + n, 2L * buffer.length)));
            }
            chunk.get(buffer, size, n);
            size += n;
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(size == buffer.length ? buffer : Arrays.copyOf(buffer, size));
        }
    }
}
