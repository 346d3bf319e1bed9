package io.gatekit.engine.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testing.Await;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Body#read}: a whole or a streamed body read at once, and the limit it keeps. */
class BodyTest {

    @Test
    void aStreamedBodyIsReadWholeInOrder() throws Exception {
        SubmissionPublisher<ByteBuffer> chunks = new SubmissionPublisher<>();
        CompletableFuture<byte[]> read = Body.of(chunks, -1).read(100).toCompletableFuture();

        for (String chunk : new String[] {"ab", "", "cde", "f"}) {
            chunks.submit(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8)));
        }
        chunks.close();

        assertEquals("abcdef", new String(read.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    @Test
    void aWholeBodyAndNoBodyAreReadAsTheyAre() throws Exception {
        byte[] bytes = {1, 2, 3};

        assertArrayEquals(bytes, Body.of(bytes).read(3).toCompletableFuture().get());
        assertArrayEquals(new byte[0], Body.empty().read(0).toCompletableFuture().get());
    }

    @Test
    void aBodyPastTheLimitFailsAndItsStreamIsCancelled() throws Exception {
        SubmissionPublisher<ByteBuffer> chunks = new SubmissionPublisher<>();
        CompletableFuture<byte[]> read = Body.of(chunks, -1).read(4).toCompletableFuture();

        chunks.submit(ByteBuffer.wrap(new byte[3]));
        chunks.submit(ByteBuffer.wrap(new byte[3]));

        ExecutionException failed = assertThrows(ExecutionException.class, () -> read.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failed.getCause());
        assertTrue(failed.getCause().getMessage().contains("4"), failed.getCause().getMessage());
        assertInstanceOf(IOException.class, assertThrows(ExecutionException.class,
                () -> Body.of(new byte[5]).read(4).toCompletableFuture().get()).getCause());
        Await.until("the stream was cancelled", () -> !chunks.hasSubscribers());
    }

    @Test
    void aNegativeLimitIsRefusedNamingIt() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Body.empty().read(-1));

        assertEquals("limit: -1 (expected: >= 0)", bad.getMessage());
    }
}
