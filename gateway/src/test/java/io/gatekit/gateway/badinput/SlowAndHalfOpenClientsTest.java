package io.gatekit.gateway.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.gateway.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that hold connections open without finishing a request: slowloris, idle keep-alive
 * connections, connections that never send a byte, half-closed connections. None may hold a
 * connection for ever, and none may slow other clients down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowAndHalfOpenClientsTest {

    @TempDir
    static Path dir;
    private GatewayUnderTest gatekit;
    private final AtomicInteger tried = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();

    @BeforeAll
    void start() {
        gatekit = new GatewayUnderTest(dir, """
                nginx_config:
                  http:
                    client_header_timeout: 1s
                    client_body_timeout: 1s
                    keepalive_timeout: 1500ms
                """);
    }

    @AfterAll
    void stop() {
        System.out.printf("bad-input slow/half-open: %d clients tried, %d requests of other clients lost%n",
                tried.get(), lost.get());
        gatekit.close();
    }

    @Test
    void aHeadTrickledSlowerThanClientHeaderTimeoutGets408AndACloseWhileOthersAreServed() throws Exception {
        tried.incrementAndGet();
        try (RawHttp slow = new RawHttp(gatekit.port())) {
            // taken before the first bytes go: the gateway's clock cannot start earlier, so however
            // late this thread runs, what is measured is at least what the gateway waited
            long started = System.nanoTime();
            slow.send("GET /slowloris HTTP/1.1\r\nHost: x\r\n");
            AtomicBoolean stop = new AtomicBoolean();
            Thread trickler = new Thread(() -> {
                // the attack itself: one more header line every 100 ms, never the blank line
                try {
                    for (int i = 0; !stop.get() && i < 200; i++) {
                        slow.send("X-Trickle-" + i + ": v\r\n");
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // the gateway closed the connection: what the test waits for
                }
            });
            trickler.start();
            try {
                for (int i = 0; i < 20; i++) {
                    othersAreServed("/meanwhile-" + i);
                }
                RawHttp.Response response = slow.read();
                long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

                assertEquals(408, response.status(), response.text());
                assertTrue(response.text().contains("client_header_timeout"), response.text());
                assertTrue(slow.closedByServer());
                assertTrue(elapsedMillis >= 900, "closed after " + elapsedMillis + " ms, before the timeout");
            } finally {
                stop.set(true);
                trickler.join();
            }
        }
        assertTrue(gatekit.upstream.requestLines().stream().noneMatch(l -> l.contains("slowloris")));
    }

    @Test
    void aBodyThatStopsComingGets408AfterClientBodyTimeoutAndNeverReachesTheUpstreamWhole() throws Exception {
        for (String head : List.of("Content-Length: 100\r\n\r\n" + "b".repeat(10),
                "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")) {
            tried.incrementAndGet();
            try (RawHttp client = new RawHttp(gatekit.port())) {
                long started = System.nanoTime(); // before the last body bytes go, when the gateway's clock starts
                client.send("POST /stalled-body HTTP/1.1\r\nHost: x\r\n" + head);

                RawHttp.Response response = client.read();
                long waitedMillis = (System.nanoTime() - started) / 1_000_000;
                assertEquals(408, response.status(), response.text());
                assertTrue(response.text().contains("client_body_timeout"), response.text());
                assertTrue(waitedMillis >= 900, "answered after " + waitedMillis + " ms, before the timeout");
                assertTrue(client.closedByServer(), () -> "headers " + response.headers());
            }
            othersAreServed("/after-stalled-body");
            assertTrue(gatekit.upstream.requestLines().stream().noneMatch(l -> l.equals("POST /stalled-body")),
                    () -> gatekit.upstream.received.toString());
        }
    }

    @Test
    void aConnectionThatNeverSendsAByteIsClosedSilentlyAfterClientHeaderTimeout() throws Exception {
        tried.incrementAndGet();
        try (Socket socket = new Socket("127.0.0.1", gatekit.port())) {
            socket.setSoTimeout(10_000);

            assertEquals(-1, socket.getInputStream().read(), "expected the gateway to close without an answer");
        }
        othersAreServed("/after-silent");
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterKeepaliveTimeout() throws Exception {
        tried.incrementAndGet();
        try (RawHttp client = new RawHttp(gatekit.port())) {
            // before the request: the connection cannot be idle before its response is written
            long idleSince = System.nanoTime();
            assertEquals("ok /first", client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n").read().text());

            assertTrue(client.closedByServer());
            long idleMillis = (System.nanoTime() - idleSince) / 1_000_000;
            assertTrue(idleMillis >= 1400, "closed after " + idleMillis + " ms idle, before keepalive_timeout");
        }
        othersAreServed("/after-idle");
    }

    @Test
    void aClientThatHalfClosesInTheMiddleOfAHeadLosesItsConnectionAndNothingReachesTheUpstream() throws Exception {
        tried.incrementAndGet();
        try (RawHttp client = new RawHttp(gatekit.port())) {
            client.send("GET /half-closed HTTP/1.1\r\nHost: x\r\nX-Part");
            client.socket().shutdownOutput();

            assertTrue(client.closedByServer());
        }
        othersAreServed("/after-half-close");
        assertTrue(gatekit.upstream.requestLines().stream().noneMatch(l -> l.contains("half-closed")));
    }

    @Test
    void aClientThatHalfClosesAfterAWholeRequestEndsWithoutHoldingTheConnection() throws Exception {
        tried.incrementAndGet();
        try (Socket socket = new Socket("127.0.0.1", gatekit.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /then-fin HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();

            // the gateway may answer first or give up at once; either way the connection must end
            InputStream in = socket.getInputStream();
            String received = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(received.isEmpty() || received.startsWith("HTTP/1.1 200"), received);
        }
        othersAreServed("/after-fin");
    }

    private void othersAreServed(String path) throws IOException {
        try (RawHttp other = new RawHttp(gatekit.port())) {
            RawHttp.Response response = other.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
            if (!response.text().equals("ok " + path)) {
                lost.incrementAndGet();
            }
            assertEquals("ok " + path, response.text());
        }
    }
}
