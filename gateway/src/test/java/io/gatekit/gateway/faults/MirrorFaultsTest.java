package io.gatekit.gateway.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A mirror that is dead, slow or silent must change nothing for the client: every request is
 * answered by the upstream as without a mirror, copies in flight stay bounded, and what could not
 * be mirrored is counted.
 */
class MirrorFaultsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @BeforeEach
    void quiet() {
        Faults.quietLogs();
    }

    @AfterEach
    void normal() {
        Faults.normalLogs();
    }

    /** Accepts connections and reads them, never answering; counts how many are open at once. */
    static final class Silent implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger accepted = new AtomicInteger();
        final List<Socket> sockets = new CopyOnWriteArrayList<>();
        final ExecutorService threads = Executors.newCachedThreadPool();

        Silent() throws IOException {
            server = new ServerSocket(0, 512, java.net.InetAddress.getLoopbackAddress());
            threads.execute(this::accept);
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    accepted.incrementAndGet();
                    peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                    threads.execute(() -> drain(socket));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void drain(Socket socket) {
            try (InputStream in = socket.getInputStream()) {
                byte[] buffer = new byte[4096];
                while (in.read(buffer) != -1) {
                    // read and never answer
                }
            } catch (IOException e) {
                // closed by the gateway or by close()
            } finally {
                open.decrementAndGet();
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
            threads.shutdownNow();
        }
    }

    private static LoadClient load(Gateway gateway) {
        return new LoadClient(gateway.port(), 6, DEADLINE, seq -> "/m",
                (seq, r) -> r.status() == 200 && "up".equals(r.header("x-node")) && r.text().equals("up:") ? null
                        : r.status() + " from " + r.header("x-node") + ": " + r.text());
    }

    private static void route(Gateway gateway, Node upstream, String mirror) {
        gateway.engine().put(ResourceKind.ROUTES, "m", """
                {"uri": "/m", "plugins": {"proxy-mirror": %s}, "upstream": {"nodes": {"%s": 1}}}"""
                .formatted(mirror, upstream.address()));
    }

    @Test
    void aDeadMirrorChangesNothingForTheClientAndEveryFailedCopyIsCounted() throws Exception {
        int dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = socket.getLocalPort();
        }
        try (Node upstream = new Node("up"); Gateway gateway = Faults.gateway()) {
            route(gateway, upstream, "{\"host\": \"http://127.0.0.1:" + dead + "\"}");
            LoadClient load = load(gateway);
            LoadClient.Report report;
            try (load) {
                load.awaitAnswers(1000, Duration.ofSeconds(60));
                report = load.stop();
            }
            Faults.await("every copy finished", Duration.ofSeconds(10), () -> counted(gateway, "failed")
                    + counted(gateway, "dropped") >= report.answered());
            long failed = counted(gateway, "failed");
            System.out.println("[faults] dead mirror: " + report + "; copies failed " + failed);
            assertEquals(0, report.failed(), report.toString());
            assertEquals(report.answered(), upstream.hits.get(), "requests the upstream served");
            assertTrue(failed > 0, "no failed copy counted");
        }
    }

    @Test
    void aMirrorAnsweringAfter200MsChangesNothingForTheClient() throws Exception {
        AtomicInteger copies = new AtomicInteger();
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        slow.setExecutor(Executors.newCachedThreadPool());
        slow.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                TimeUnit.MILLISECONDS.sleep(200);
                copies.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        slow.start();
        try (Node upstream = new Node("up"); Gateway gateway = Faults.gateway()) {
            route(gateway, upstream, "{\"host\": \"http://127.0.0.1:" + slow.getAddress().getPort()
                    + "\", \"max_in_flight\": 64}");
            LoadClient load = load(gateway);
            LoadClient.Report report;
            try (load) {
                load.awaitAnswers(1000, Duration.ofSeconds(60));
                report = load.stop();
            }
            Faults.await("copies answered", Duration.ofSeconds(10), () -> copies.get() > 0);
            System.out.println("[faults] mirror answering after 200 ms: " + report + "; copies answered "
                    + copies.get() + ", dropped " + counted(gateway, "dropped"));
            assertEquals(0, report.failed(), report.toString());
            assertEquals(report.answered(), upstream.hits.get(), "requests the upstream served");
        } finally {
            slow.stop(0);
            ((ExecutorService) slow.getExecutor()).shutdownNow();
        }
    }

    @Test
    void aMirrorThatNeverAnswersHoldsAtMostMaxInFlightCopiesAndTheRestAreDroppedAndCounted() throws Exception {
        try (Silent silent = new Silent(); Node upstream = new Node("up"); Gateway gateway = Faults.gateway()) {
            route(gateway, upstream, "{\"host\": \"http://127.0.0.1:" + silent.port()
                    + "\", \"max_in_flight\": 4, \"timeout\": {\"connect\": 1, \"send\": 1, \"read\": 30}}");
            LoadClient load = load(gateway);
            LoadClient.Report report;
            try (load) {
                load.awaitAnswers(1000, Duration.ofSeconds(60));
                report = load.stop();
            }
            long dropped = counted(gateway, "dropped");
            System.out.println("[faults] mirror that never answers, max_in_flight 4: " + report + "; copies dropped "
                    + dropped + ", mirror connections at most " + silent.peak.get() + " open at once");
            assertEquals(0, report.failed(), report.toString());
            assertEquals(report.answered(), upstream.hits.get(), "requests the upstream served");
            assertTrue(silent.peak.get() <= 4, "mirror connections open at once: " + silent.peak.get());
            assertTrue(dropped >= report.answered() - 4, "dropped " + dropped + " of " + report.answered());
        }
    }

    private static long counted(Gateway gateway, String result) {
        try {
            return Faults.metric(gateway, "gatekit_mirror_requests_total", "result=\"" + result + "\"");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
