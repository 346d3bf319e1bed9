package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.internal.Frames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on one runner connection, injected while many calls are out at once: each fails at most
 * the calls on its own connection, the client's I/O thread keeps going, and every call after the
 * fault succeeds.
 */
class RunnerIoFaultsTest {

    private static final int CONCURRENCY = 16;
    private static final RunnerConf STOP = RunnerConf.builder().id("route#1#ext-plugin-pre-req").version(1)
            .addPlugin("gk-stop", "stopped").build();
    private static final RunnerConf EXTRA = RunnerConf.builder().id("route#2#ext-plugin-pre-req").version(1)
            .addPlugin("gk-extra-req", "{}").build();
    private static final HttpReqCall CALL = HttpReqCall.builder().sourceIp(new byte[] {127, 0, 0, 1}).path("/").build();

    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("runner.sock");
    }

    private RunnerServer runner() {
        return TestPlugins.register(RunnerServer.builder().socketPath(socket())).build().start();
    }

    private RunnerClient client() {
        return RunnerClient.builder().socketPath(socket()).threads(CONCURRENCY).build();
    }

    @Test
    void aKeyCancelledWhileItIsHandledFailsOnlyItsOwnCallAndEveryLaterCallSucceeds() throws Exception {
        int faults = 20;
        try (RunnerServer runner = runner(); RunnerClient client = client()) {
            client.confToken(STOP);
            AtomicInteger handled = new AtomicInteger();
            AtomicInteger injected = new AtomicInteger();
            client.io().keyHook(key -> {
                if (handled.incrementAndGet() % 25 == 0 && injected.incrementAndGet() <= faults) {
                    // What another thread's close does to a key the selector is handling: the key is
                    // cancelled, and the selector's next look at its ready set throws.
                    try {
                        key.channel().close();
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    throw new CancelledKeyException();
                }
            });

            List<Throwable> during = drive(2_000, i -> client.httpReqCallAsync(STOP, CALL, ExtraInfoHandler.none()));
            client.io().keyHook(null);
            List<Throwable> after = drive(2_000, i -> client.httpReqCallAsync(STOP, CALL, ExtraInfoHandler.none()));

            assertTrue(injected.get() >= faults, "faults injected: " + injected.get());
            assertTrue(during.size() <= faults,
                    during.size() + " calls failed for " + faults + " faults: " + summary(during));
            for (Throwable failure : during) {
                assertEquals(RunnerException.Kind.IO, assertInstanceOf(RunnerException.class, failure).kind(),
                        failure.toString());
            }
            assertEquals(List.of(), summary(after));
        }
    }

    @Test
    void anExtraInfoHandlerThatThrowsAnErrorFailsOnlyItsOwnCall() throws Exception {
        try (RunnerServer runner = runner(); RunnerClient client = client()) {
            client.confToken(EXTRA);
            ExtraInfoHandler good = question -> "v".getBytes(StandardCharsets.UTF_8);
            ExtraInfoHandler broken = question -> {
                throw new AssertionError("a bug in the handler");
            };

            List<Throwable> during = drive(1_000, i -> client.httpReqCallAsync(EXTRA, CALL, i == 500 ? broken : good));
            List<Throwable> after = drive(1_000, i -> client.httpReqCallAsync(EXTRA, CALL, good));

            assertEquals(1, during.size(), summary(during).toString());
            RunnerException failure = assertInstanceOf(RunnerException.class, during.get(0));
            assertEquals(RunnerException.Kind.HANDLER, failure.kind());
            assertInstanceOf(AssertionError.class, failure.getCause());
            assertEquals(List.of(), summary(after));
        }
    }

    @Test
    void aConnectionResetInTheMiddleOfAnAnswerFailsOnlyItsOwnCallAndEveryLaterCallSucceeds() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger resetsLeft = new AtomicInteger(5);
        try (ScriptedRunner runner = new ScriptedRunner(socket(), conn -> {
            // the first connection carries PrepareConf; of the later ones, five reset their first call
            boolean resets = connections.incrementAndGet() > 1 && resetsLeft.getAndDecrement() > 0;
            SocketChannel channel = conn.channel;
            while (true) {
                ByteBuffer header = readFully(channel, Frames.HEADER_BYTES);
                if (header == null) {
                    return;
                }
                int type = Frames.type(header);
                if (resets && type == Frames.RPC_HTTP_REQ_CALL) {
                    // half an answer's header, then close with the request's payload unread: the
                    // client's end of the connection is reset
                    channel.write(ByteBuffer.wrap(new byte[] {(byte) type, 0}));
                    channel.close();
                    return;
                }
                readFully(channel, Frames.length(header));
                ScriptedRunner.plainAnswer(conn, type);
            }
        }); RunnerClient client = client()) {
            client.confToken(STOP);

            List<Throwable> during = drive(1_000, i -> client.httpReqCallAsync(STOP, CALL, ExtraInfoHandler.none()));
            List<Throwable> after = drive(1_000, i -> client.httpReqCallAsync(STOP, CALL, ExtraInfoHandler.none()));

            assertTrue(resetsLeft.get() <= 0, "every reset happened: " + resetsLeft.get() + " left");
            assertTrue(during.size() <= 5, summary(during).toString());
            for (Throwable failure : during) {
                assertEquals(RunnerException.Kind.IO, assertInstanceOf(RunnerException.class, failure).kind(),
                        failure.toString());
            }
            assertEquals(List.of(), summary(after));
            assertEquals(List.of(), runner.failures);
        }
    }

    @Test
    void aClientWhoseIoThreadStoppedStartsANewOneForTheNextCall() throws Exception {
        try (RunnerServer runner = runner(); RunnerClient client = client()) {
            client.confToken(STOP);
            RunnerIo first = client.io();

            first.close();

            assertEquals(List.of(), drive(100, i -> client.httpReqCallAsync(STOP, CALL, ExtraInfoHandler.none())));
            assertTrue(first != client.io(), "a new I/O thread");
        }
    }

    /**
     * Makes {@code calls} async calls with at most {@link #CONCURRENCY} out at once, and returns what
     * the failed ones failed with.
     */
    static List<Throwable> drive(int calls, IntFunction<CompletionStage<?>> call) throws InterruptedException {
        Semaphore out = new Semaphore(CONCURRENCY);
        CountDownLatch done = new CountDownLatch(calls);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < calls; i++) {
            out.acquire();
            CompletableFuture<?> pending;
            try {
                pending = call.apply(i).toCompletableFuture();
            } catch (RuntimeException e) {
                pending = CompletableFuture.failedFuture(e);
            }
            pending.whenComplete((value, error) -> {
                if (error != null) {
                    failures.add(error instanceof CompletionException || error instanceof ExecutionException
                            ? error.getCause() : error);
                }
                out.release();
                done.countDown();
            });
        }
        assertTrue(done.await(120, TimeUnit.SECONDS), done.getCount() + " of " + calls + " calls never ended");
        return failures;
    }

    /** The distinct failures, each with how often it happened: short enough for a message. */
    static List<String> summary(List<Throwable> failures) {
        return failures.stream()
                .collect(Collectors.groupingBy(Throwable::toString, TreeMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).toList();
    }

    /** Exactly {@code length} bytes, or {@code null} when the peer closed before the first. */
    private static ByteBuffer readFully(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (buffer.position() == 0) {
                    return null;
                }
                throw new IOException("closed after " + buffer.position() + " of " + length + " bytes");
            }
        }
        return buffer.flip();
    }
}
