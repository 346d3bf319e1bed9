package io.gatekit.runner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.RunnerException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Framing over a real unix socket pair: header, limits, short reads, timeouts, stale bytes. */
class FrameChannelTest {

    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private SocketChannel peer;
    private FrameChannel frames;

    @BeforeEach
    void connect() throws IOException {
        Path socket = dir.resolve("s.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        frames = new FrameChannel(UnixSockets.connect(socket, TimeUnit.SECONDS.toNanos(1)), 1024);
        peer = server.accept();
    }

    @AfterEach
    void close() throws IOException {
        frames.close();
        peer.close();
        server.close();
    }

    private void peerSends(int... bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length);
        for (int b : bytes) {
            buffer.put((byte) b);
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            peer.write(buffer);
        }
    }

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aFrameIsOneTypeByteAThreeByteBigEndianLengthAndThePayload() throws IOException {
        frames.write(4, ByteBuffer.wrap(new byte[] {9, 8, 7}), SECOND);

        ByteBuffer received = ByteBuffer.allocate(7);
        while (received.hasRemaining()) {
            peer.read(received);
        }
        assertEquals(ByteBuffer.wrap(new byte[] {4, 0, 0, 3, 9, 8, 7}), received.flip());
    }

    @Test
    void theLengthIsReadAsAnUnsigned24BitValue() {
        ByteBuffer header = ByteBuffer.allocate(4);
        Frames.putHeader(header, 2, Frames.MAX_PAYLOAD, Frames.MAX_PAYLOAD);

        assertEquals(2, Frames.type(header));
        assertEquals(16_777_215, Frames.length(header));
    }

    @Test
    void aPayloadOverTheLimitIsRefusedWithTheLimitInTheMessage() {
        RunnerException e = assertThrows(RunnerException.class,
                () -> Frames.putHeader(ByteBuffer.allocate(4), 2, Frames.MAX_PAYLOAD + 1, Frames.MAX_PAYLOAD));

        assertEquals(RunnerException.Kind.PROTOCOL, e.kind());
        assertEquals("payload to send: 16777216 bytes (expected: <= 16777215)", e.getMessage());
    }

    @Test
    void aFrameIsReadWhole() throws IOException {
        peerSends(3, 0, 0, 2, 0xAA, 0xBB);

        assertEquals(3, frames.read(SECOND));
        assertEquals(ByteBuffer.wrap(new byte[] {(byte) 0xAA, (byte) 0xBB}), frames.payload());
    }

    @Test
    void anAnnouncedPayloadOverTheLimitIsRefusedBeforeReadingIt() throws IOException {
        peerSends(2, 0, 4, 1); // 1025 bytes, the limit is 1024

        RunnerException e = assertThrows(RunnerException.class, () -> frames.read(SECOND));
        assertEquals("received payload of RPC_HTTP_REQ_CALL: 1025 bytes (expected: <= 1024)", e.getMessage());
    }

    @Test
    void anEmptyPayloadIsAProtocolError() throws IOException {
        peerSends(1, 0, 0, 0);

        RunnerException e = assertThrows(RunnerException.class, () -> frames.read(SECOND));
        assertEquals(RunnerException.Kind.PROTOCOL, e.kind());
        assertEquals("received RPC_PREPARE_CONF with an empty payload", e.getMessage());
    }

    @Test
    void aTruncatedFrameIsAnIoError() throws IOException {
        peerSends(2, 0, 0, 10, 1, 2);
        peer.close();

        RunnerException e = assertThrows(RunnerException.class, () -> frames.read(SECOND));
        assertEquals(RunnerException.Kind.IO, e.kind());
        assertEquals("connection closed by peer while reading RPC_HTTP_REQ_CALL payload of 10 bytes (2 of 10 bytes read)",
                e.getMessage());
    }

    @Test
    void aShortHeaderIsAnIoError() throws IOException {
        peerSends(2, 0);
        peer.close();

        RunnerException e = assertThrows(RunnerException.class, () -> frames.read(SECOND));
        assertEquals("connection closed by peer while reading frame header (2 of 4 bytes read)", e.getMessage());
    }

    @Test
    void aCloseBetweenFramesIsTheEndOfTheStream() throws IOException {
        peer.close();

        assertEquals(FrameChannel.END_OF_STREAM, frames.read(SECOND));
    }

    @Test
    void aReadWaitsAtMostItsTimeout() {
        long start = System.nanoTime();

        RunnerException e = assertThrows(RunnerException.class, () -> frames.read(TimeUnit.MILLISECONDS.toNanos(100)));

        assertEquals(RunnerException.Kind.TIMEOUT, e.kind());
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took >= 95 && took < 5_000, took + " ms");
    }

    @Test
    void aFrameArrivingInPiecesIsReassembled() throws Exception {
        Thread sender = new Thread(() -> {
            try {
                peerSends(3, 0);
                peerSends(0, 1);
                peerSends(0x42);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        sender.start();

        assertEquals(3, frames.read(SECOND));
        assertEquals(0x42, frames.payload().get(0));
        sender.join();
    }

    @Test
    void framesThatArriveTogetherAreReadOneByOneAndTheSecondCountsAsUnread() throws IOException {
        peerSends(3, 0, 0, 1, 7, 0, 0, 0, 2, 8, 9);

        assertEquals(3, frames.read(SECOND));
        assertEquals(ByteBuffer.wrap(new byte[] {7}), frames.payload());
        assertFalse(frames.isClean(), "the error frame is still unread");
        assertEquals(0, frames.read(SECOND));
        assertEquals(ByteBuffer.wrap(new byte[] {8, 9}), frames.payload());
        assertTrue(frames.isClean());
    }

    @Test
    void aFrameLargerThanTheReadBufferIsReadWhole() throws Exception {
        Path socket = dir.resolve("big.sock");
        try (ServerSocketChannel bigServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            bigServer.bind(UnixDomainSocketAddress.of(socket));
            try (FrameChannel big = new FrameChannel(UnixSockets.connect(socket, SECOND), Frames.MAX_PAYLOAD);
                 SocketChannel bigPeer = bigServer.accept()) {
                int length = 300_000;
                ByteBuffer frame = ByteBuffer.allocate(Frames.HEADER_BYTES + length);
                Frames.putHeader(frame, 4, length, Frames.MAX_PAYLOAD);
                frame.put(Frames.HEADER_BYTES + length - 1, (byte) 0x5A).position(0);
                Thread sender = new Thread(() -> {
                    try {
                        while (frame.hasRemaining()) {
                            bigPeer.write(frame);
                        }
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
                sender.start();

                assertEquals(4, big.read(10 * SECOND));
                assertEquals(length, big.payload().remaining());
                assertEquals(0x5A, big.payload().get(length - 1));
                sender.join();
            }
        }
    }

    @Test
    void aSocketIsCleanOnlyWithoutUnreadBytesAndWhileThePeerIsThere() throws IOException {
        assertTrue(frames.isClean());

        peerSends(1);
        assertFalse(frames.isClean());
    }

    @Test
    void aSocketClosedByThePeerIsNotClean() throws IOException {
        peer.close();

        assertFalse(frames.isClean());
    }
}
