package io.gatekit.servlet;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;

/**
 * What the application writes, as a publisher the engine reads: the application's thread puts
 * chunks in, the engine's subscriber takes them as it asks. Delivery happens on whichever thread
 * finds a chunk and demand (usually the application's own, right as it writes); the application's
 * thread waits only while more than {@link #BOUND} bytes are held and nothing reads them, which is
 * back-pressure from the client or from a plugin still working on the response head.
 *
 * <p>Once the reader cancels (the client went away, or a plugin replaced the body), further
 * writes are dropped: the application finishes as it would have, its output goes nowhere.
 */
final class AppBody implements Flow.Publisher<ByteBuffer> {

    /** The most the application may write ahead of the reader before its thread waits. */
    static final long BOUND = 256 * 1024;

    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long queued;
    private long demand;
    private boolean closed;
    private @Nullable Throwable failure;
    private boolean cancelled;
    private boolean terminated;
    private boolean draining;
    private boolean missed;
    private Flow.@Nullable Subscriber<? super ByteBuffer> subscriber;

    /** Adds a chunk the application wrote; waits while too much is held unread. */
    void write(ByteBuffer chunk) throws InterruptedIOException {
        synchronized (this) {
            while (queued >= BOUND && !cancelled) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the response body waited for its reader");
                }
            }
            if (cancelled || closed) {
                return;
            }
            queue.add(chunk);
            queued += chunk.remaining();
        }
        drain();
    }

    /** The application has written everything. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        drain();
    }

    /** The application failed after its response started: the body ends with {@code error}. */
    void fail(Throwable error) {
        synchronized (this) {
            if (!closed) {
                failure = error;
                closed = true;
            }
        }
        drain();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        boolean first;
        synchronized (this) {
            first = subscriber == null;
            if (first) {
                subscriber = s;
            }
        }
        if (!first) {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            s.onError(new IllegalStateException("the application's body streams once (expected: one subscriber)"));
            return;
        }
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                synchronized (AppBody.this) {
                    if (n <= 0) {
                        failure = Arguments.invalid("n", n, "> 0");
                        closed = true;
                        queue.clear();
                    } else {
                        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    }
                }
                drain();
            }

            @Override
            public void cancel() {
                synchronized (AppBody.this) {
                    cancelled = true;
                    queue.clear();
                    queued = 0;
                    AppBody.this.notifyAll();
                }
            }
        });
        drain();
    }

    /** Hands chunks to the subscriber while it asks; one thread at a time, none holding the lock. */
    private void drain() {
        synchronized (this) {
            if (draining) {
                missed = true;
                return;
            }
            draining = true;
        }
        while (true) {
            Flow.Subscriber<? super ByteBuffer> s;
            ByteBuffer next = null;
            boolean end = false;
            Throwable error = null;
            synchronized (this) {
                s = subscriber;
                if (s != null && !cancelled && !terminated) {
                    if (demand > 0 && !queue.isEmpty()) {
                        next = queue.poll();
                        queued -= next.remaining();
                        demand--;
                        notifyAll();
                    } else if (queue.isEmpty() && closed) {
                        terminated = true;
                        end = true;
                        error = failure;
                    }
                }
                if (next == null && !end) {
                    if (!missed) {
                        draining = false;
                        return;
                    }
                    missed = false;
                    continue;
                }
            }
            if (next != null) {
                s.onNext(next);
            } else if (error != null) {
                s.onError(error);
            } else {
                s.onComplete();
            }
        }
    }
}
