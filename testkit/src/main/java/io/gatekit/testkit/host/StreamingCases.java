package io.gatekit.testkit.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testkit.host.HostFixture.Sent;
import io.gatekit.testkit.host.TestUpstream.Received;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * 100 MB bodies stream through the host both ways with flat memory: while the far side does not
 * read, the host stops taking more, and what it holds meanwhile (live heap after a full GC) stays
 * far below the body's size.
 */
interface StreamingCases extends Cases {

    long SIZE = 100L << 20;
    /** The most live heap a streaming host may gain while the transfer is held. */
    long HELD_AT_MOST = 40L << 20;

    @Test
    default void a100MbRequestBodyStreamsToTheUpstreamWithFlatMemory() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);
        CompletableFuture<Void> release = new CompletableFuture<>();
        f.a.holdBodies(release);
        ClientRequest request = ClientRequest.of("POST", "/sink").withGeneratedBody(SIZE);
        long baseline = liveHeap();

        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Sent> sent = CompletableFuture.supplyAsync(() -> send(f, request), client);
            long stalledAt = awaitStall(() -> request.sent().get());
            long held = liveHeap() - baseline;
            release.complete(null);
            Sent done = sent.get(60, TimeUnit.SECONDS);

            assertEquals(200, done.status());
            assertTrue(stalledAt < SIZE, "the host took the whole body while the upstream read none of it");
            assertTrue(held < HELD_AT_MOST, "the host held " + (held >> 20) + " MiB of a body it could not pass on");
            Received got = f.a.received().get(0);
            assertEquals(SIZE, got.bodyLength());
            assertEquals(generatedCrc(SIZE), got.bodyCrc());
        } finally {
            release.complete(null);
            client.shutdownNow();
        }
    }

    @Test
    default void a100MbResponseBodyStreamsToTheClientWithFlatMemory() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);
        CompletableFuture<Void> release = new CompletableFuture<>();
        ClientRequest request = ClientRequest.of("GET", "/__big/" + SIZE).readingBodyAfter(release);
        long baseline = liveHeap();

        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Sent> sent = CompletableFuture.supplyAsync(() -> send(f, request), client);
            long stalledAt = awaitStall(f.a::bodyBytesWritten);
            long held = liveHeap() - baseline;
            release.complete(null);
            Sent done = sent.get(60, TimeUnit.SECONDS);

            assertEquals(200, done.status());
            assertTrue(stalledAt < SIZE, "the host read the whole body while the client read none of it");
            assertTrue(held < HELD_AT_MOST, "the host held " + (held >> 20) + " MiB of a body it could not pass on");
            assertEquals(SIZE, done.response().bodyLength());
            assertEquals(generatedCrc(SIZE), done.response().bodyCrc());
            assertEquals(1, f.logRuns(done.id()));
        } finally {
            release.complete(null);
            client.shutdownNow();
        }
    }

    private static Sent send(HostFixture f, ClientRequest request) {
        try {
            return f.send(request);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until {@code progress} has moved past 1 MiB and then stopped for half a second (the
     * far side's back-pressure reached the sender), or reached the whole size; returns where.
     */
    private static long awaitStall(LongSupplier progress) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = progress.getAsLong();
            if (now >= SIZE) {
                return now;
            }
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (now > 1 << 20 && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(500)) {
                return now;
            }
            Thread.sleep(20); // sampling progress; the condition is that it stops moving
        }
        throw new AssertionError("the transfer neither stalled nor finished within 30 s (at " + last + " bytes)");
    }

    /** The live heap after a full collection, in bytes. */
    private static long liveHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static long generatedCrc(long size) {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[64 * 1024];
        for (long offset = 0; offset < size; ) {
            int n = (int) Math.min(buffer.length, size - offset);
            for (int i = 0; i < n; i++) {
                buffer[i] = ClientRequest.generatedByte(offset + i);
            }
            crc.update(buffer, 0, n);
            offset += n;
        }
        return crc.getValue();
    }
}
