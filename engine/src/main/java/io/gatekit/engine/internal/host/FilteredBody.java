package io.gatekit.engine.internal.host;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Call;
import io.gatekit.engine.host.Body;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The response body the engine hands a host: its source's chunks, each through {@code body_filter}
 * when the route filters bodies. The chunk that completes a body of known length goes with
 * {@code last} set; when the length is unknown, the end is one more call with an empty chunk and
 * {@code last} set, as nginx's body filter sees its final buffer. Runs {@code onEnd} (the log
 * phase) once, when the body completes, fails or is cancelled. Demand passes straight through; only
 * the final filtered chunk, which the source did not produce, waits for demand of its own.
 */
final class FilteredBody implements Body {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Body source;
    private final @Nullable Call filter;
    private final long length;
    private final Runnable onEnd;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();

    /**
     * @param filter the call whose {@code body_filter} each chunk goes through, or {@code null}
     * @param length the length the host may promise, or -1
     */
    FilteredBody(Body source, @Nullable Call filter, long length, Runnable onEnd) {
        this.source = source;
        this.filter = filter;
        this.length = length;
        this.onEnd = onEnd;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("the response body streams once (expected: one subscriber)"));
            return;
        }
        source.subscribe(new Relay(subscriber));
    }

    /** Runs {@code onEnd} the first time the body ends, however it ends. */
    void end() {
        if (ended.compareAndSet(false, true)) {
            onEnd.run();
        }
    }

    private final class Relay implements Flow.Subscriber<ByteBuffer>, Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> downstream;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private Flow.@Nullable Subscription upstream;
        private volatile @Nullable ByteBuffer tail;
        private volatile boolean sourceDone;
        /** Bytes of the source seen so far; and whether body_filter was already told about the end. */
        private long seen;
        private boolean lastSent;
        private volatile boolean cancelled;
        private boolean terminated;

        Relay(Flow.Subscriber<? super ByteBuffer> downstream) {
            this.downstream = downstream;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            upstream = subscription;
            downstream.onSubscribe(this);
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                downstream.onError(Arguments.invalid("n", n, "> 0"));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            if (sourceDone) {
                drain();
            } else {
                upstream.request(n);
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                upstream.cancel();
                end();
            }
        }

        @Override
        public void onNext(ByteBuffer chunk) {
            if (cancelled) {
                return;
            }
            ByteBuffer out = chunk;
            if (filter != null) {
                seen += chunk.remaining();
                long expected = source.length();
                boolean last = expected >= 0 && seen >= expected;
                lastSent |= last;
                out = filter.bodyFilter(chunk, last);
                if (!out.hasRemaining()) {
                    upstream.request(1); // a plugin swallowed the chunk: the demand it met is still open
                    return;
                }
            }
            demand.decrementAndGet();
            downstream.onNext(out);
        }

        @Override
        public void onError(Throwable error) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            try {
                downstream.onError(error);
            } finally {
                end();
            }
        }

        @Override
        public void onComplete() {
            if (cancelled) {
                return;
            }
            if (filter != null && !lastSent) {
                ByteBuffer last = filter.bodyFilter(EMPTY.duplicate(), true);
                tail = last.hasRemaining() ? last : null;
            }
            sourceDone = true;
            drain();
        }

        /** Delivers the final chunk once there is demand for it, then completes; serialized. */
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                if (cancelled || terminated) {
                    continue;
                }
                ByteBuffer last = tail;
                if (last != null) {
                    if (demand.get() <= 0) {
                        continue;
                    }
                    tail = null;
                    demand.decrementAndGet();
                    downstream.onNext(last);
                }
                terminated = true;
                try {
                    downstream.onComplete();
                } finally {
                    end();
                }
            } while (wip.decrementAndGet() != 0);
        }
    }
}
