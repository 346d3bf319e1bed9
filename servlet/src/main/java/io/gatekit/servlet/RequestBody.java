package io.gatekit.servlet;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's request body, streamed with the servlet's non-blocking input ({@link ReadListener}):
 * nothing is read until the engine subscribes (a plugin that needs the body whole, or the
 * transport sending it upstream), then only as fast as the subscriber asks. No thread waits for
 * the client: when the input has nothing ready the container calls back once it has.
 *
 * <p>Whoever calls in (the subscriber's {@code request}, the container's callbacks) drains, one at
 * a time ({@link SerialDrain}): read while there is demand and the input is ready.
 */
final class RequestBody implements Flow.Publisher<ByteBuffer>, Flow.Subscription, ReadListener {

    private static final int CHUNK = 16 * 1024;

    private final HttpServletRequest request;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final SerialDrain serial = new SerialDrain(this::readWhileReady);
    private final AtomicLong demand = new AtomicLong();
    private volatile Flow.@Nullable Subscriber<? super ByteBuffer> subscriber;
    private volatile @Nullable ServletInputStream input;
    private volatile @Nullable Throwable failure;
    private volatile boolean cancelled;
    private boolean done;

    RequestBody(HttpServletRequest request) {
        this.request = request;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        if (!subscribed.compareAndSet(false, true)) {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            s.onError(new IllegalStateException("the request body streams once (expected: one subscriber)"));
            return;
        }
        subscriber = s;
        s.onSubscribe(this);
        try {
            ServletInputStream in = request.getInputStream();
            input = in;
            in.setReadListener(this);
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            failure = Arguments.invalid("n", n, "> 0");
        } else {
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        }
        drain();
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    @Override
    public void onDataAvailable() {
        drain();
    }

    @Override
    public void onAllDataRead() {
        drain();
    }

    @Override
    public void onError(Throwable error) {
        failure = error;
        drain();
    }

    private void drain() {
        serial.run();
    }

    /** Reads and hands on chunks while there is demand and data; stops where a callback will resume. */
    private void readWhileReady() {
        Flow.Subscriber<? super ByteBuffer> s = subscriber;
        ServletInputStream in = input;
        while (!done && !cancelled && s != null) {
            Throwable error = failure;
            if (error != null) {
                done = true;
                s.onError(error);
                return;
            }
            if (in == null || demand.get() == 0) {
                return;
            }
            try {
                if (in.isFinished()) {
                    done = true;
                    s.onComplete();
                    return;
                }
                if (!in.isReady()) {
                    return; // the container calls onDataAvailable or onAllDataRead
                }
                byte[] buffer = new byte[CHUNK];
                int n = in.read(buffer);
                if (n < 0) {
                    done = true;
                    s.onComplete();
                    return;
                }
                if (n > 0) {
                    demand.decrementAndGet();
                    s.onNext(ByteBuffer.wrap(buffer, 0, n));
                }
            } catch (IOException | RuntimeException e) {
                done = true;
                s.onError(e);
                return;
            }
        }
    }
}
