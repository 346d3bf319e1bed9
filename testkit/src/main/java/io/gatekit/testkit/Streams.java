package io.gatekit.testkit;

import io.gatekit.api.Nullable;
import io.gatekit.engine.host.Body;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Streaming bodies for the harness's in-memory upstream and client: made from bytes, read to bytes. */
final class Streams {

    private Streams() {
    }

    /** {@code bytes} as a body of chunks of {@code chunkSize} bytes (0: one chunk), honouring demand. */
    static Body chunked(byte[] bytes, int chunkSize) {
        if (bytes.length == 0) {
            return Body.empty();
        }
        int size = chunkSize > 0 ? chunkSize : bytes.length;
        List<byte[]> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += size) {
            chunks.add(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + size)));
        }
        return Body.of(subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private final AtomicLong demand = new AtomicLong();
            private final AtomicInteger wip = new AtomicInteger();
            private volatile boolean cancelled;
            private int next;

            @Override
            public void request(long n) {
                demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                if (wip.getAndIncrement() != 0) {
                    return;
                }
                do {
                    while (!cancelled && next < chunks.size() && demand.get() > 0) {
                        demand.decrementAndGet();
                        subscriber.onNext(ByteBuffer.wrap(chunks.get(next++)));
                    }
                    if (!cancelled && next == chunks.size()) {
                        next++;
                        subscriber.onComplete();
                    }
                } while (wip.decrementAndGet() != 0);
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        }), bytes.length);
    }

    /** Reads {@code body} to its end, keeping its chunks apart. */
    static CompletableFuture<List<byte[]>> chunks(Body body) {
        CompletableFuture<List<byte[]>> result = new CompletableFuture<>();
        body.subscribe(new Flow.Subscriber<ByteBuffer>() {
            private final List<byte[]> chunks = new ArrayList<>();

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer chunk) {
                byte[] bytes = new byte[chunk.remaining()];
                chunk.get(bytes);
                chunks.add(bytes);
            }

            @Override
            public void onError(@Nullable Throwable error) {
                result.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                result.complete(chunks);
            }
        });
        return result;
    }
}
