package io.gatekit.gateway.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client must not make the gateway hold unbounded memory: a pipelining client that never
 * reads stops being read, and a response the client does not read stops being read from the
 * upstream. Each is measured with a real socket: what the peer could push in is bounded by
 * socket buffers plus the gateway's small per-connection window, far below what was offered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionMemoryBoundsTest {

    private static final long OFFERED = 256L * 1024 * 1024;
    /** Loopback socket buffers on both sides may hold a few MB; the gateway itself may hold little more. */
    private static final long BOUND = 32L * 1024 * 1024;

    @TempDir
    static Path dir;
    private GatewayUnderTest gatekit;

    @BeforeAll
    void start() {
        gatekit = new GatewayUnderTest(dir, "gatekit:\n  max_header_size: 8k\n");
    }

    @AfterAll
    void stop() {
        gatekit.close();
    }

    @Test
    void aClientPipeliningRequestsWithoutReadingIsNoLongerReadOnceItsQueueIsFull() throws Exception {
        byte[] request = ("GET /slow?ms=3000 HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(4000) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        long written = 0;
        gatekit.upstream.reset();
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", gatekit.port()));
                Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer buffer = ByteBuffer.wrap(request);
            while (written < OFFERED) {
                if (!buffer.hasRemaining()) {
                    buffer.rewind();
                }
                int n = channel.write(buffer);
                written += n;
                // the gateway stopped reading when no byte more fits within 2 s
                if (n == 0 && selector.select(2000) == 0) {
                    break;
                }
                selector.selectedKeys().clear();
            }
        }
        System.out.printf("bad-input memory: pipelining client pushed %d of %d bytes before the gateway stopped "
                + "reading%n", written, OFFERED);
        assertTrue(written < BOUND, "the gateway read " + written + " bytes of pipelined requests");
        assertTrue(gatekit.upstream.received.size() <= 2, "upstream got " + gatekit.upstream.received.size());
        theNextClientIsServed();
    }

    @Test
    void aResponseTheClientDoesNotReadIsNoLongerReadFromTheUpstream() throws Exception {
        gatekit.upstream.streamedBytes.set(0);
        try (RawHttp client = new RawHttp(gatekit.port())) {
            client.socket().setReceiveBufferSize(64 * 1024);
            client.send("GET /bytes?n=" + OFFERED + " HTTP/1.1\r\nHost: x\r\n\r\n");
            long streamed = awaitNoProgress();
            System.out.printf("bad-input memory: upstream handed over %d of %d bytes to a client that reads "
                    + "nothing%n", streamed, OFFERED);

            assertTrue(streamed < BOUND, "the gateway took " + streamed + " bytes from the upstream");
        }
        theNextClientIsServed();
    }

    @Test
    void aBodyTheUpstreamDoesNotReadIsNoLongerReadFromTheClient() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        long written = 0;
        try (ServerSocket stalled = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(stalled.accept()); // accepted, never read: an upstream that stalled
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
            acceptor.start();
            gatekit.gateway.engine().put(ResourceKind.ROUTES, "stall",
                    "{\"uri\": \"/stall\", \"upstream\": {\"nodes\": {\"127.0.0.1:" + stalled.getLocalPort()
                            + "\": 1}}}");
            try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", gatekit.port()));
                    Selector selector = Selector.open()) {
                channel.write(ByteBuffer.wrap(("POST /stall HTTP/1.1\r\nHost: x\r\nContent-Length: " + OFFERED
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_WRITE);
                ByteBuffer block = ByteBuffer.allocate(64 * 1024);
                while (written < OFFERED) {
                    block.clear();
                    int n = channel.write(block);
                    written += n;
                    // the gateway stopped reading when no byte more fits within 2 s
                    if (n == 0 && selector.select(2000) == 0) {
                        break;
                    }
                    selector.selectedKeys().clear();
                }
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
                stalled.close();
                acceptor.join();
            }
        }
        System.out.printf("bad-input memory: client pushed %d of %d body bytes towards an upstream that reads "
                + "nothing%n", written, OFFERED);
        assertTrue(written < BOUND, "the gateway read " + written + " body bytes it could not forward");
        theNextClientIsServed();
    }

    /** Waits until the upstream has streamed nothing more for 2 s; returns what it streamed. */
    private long awaitNoProgress() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = gatekit.upstream.streamedBytes.get();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 2_000_000_000L) {
                return now;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the upstream kept streaming for 60 s: " + last + " bytes");
    }

    private void theNextClientIsServed() throws IOException {
        try (RawHttp next = new RawHttp(gatekit.port())) {
            assertEquals("ok /next", next.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
        }
    }
}
