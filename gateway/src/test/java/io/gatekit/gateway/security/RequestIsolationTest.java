package io.gatekit.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.faults.Faults;
import io.gatekit.gateway.faults.LoadClient;
import io.gatekit.gateway.faults.Node;
import io.gatekit.gateway.faults.Wire;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No header or body of one request reaches another: on one keep-alive connection, one request
 * after another and all pipelined in a single write, mixing answers from the upstream with errors
 * (no route, a dead upstream) and a plugin's short-circuit; and across many concurrent connections.
 */
class RequestIsolationTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @BeforeEach
    void quiet() {
        Faults.quietLogs();
    }

    @AfterEach
    void normal() {
        Faults.normalLogs();
    }

    /** One request of the sequence: what it is and what its answer must be. */
    record Step(int n, String method, String path, int status, boolean reachesUpstream) {
        String raw() {
            // a header name of its own and a body of its own, so a leak of either is visible
            String body = method.equals("GET") ? "" : "body-" + n + "-" + "x".repeat(n * 37);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            return method + " " + path + " HTTP/1.1\r\nHost: isolation.test\r\nx-req: " + n + "\r\nx-only-" + n
                    + ": secret-" + n + "\r\n" + (bytes.length > 0 ? "Content-Length: " + bytes.length + "\r\n" : "")
                    + "\r\n" + body;
        }

        String body() {
            return method.equals("GET") ? "" : "body-" + n + "-" + "x".repeat(n * 37);
        }
    }

    private static List<Step> steps() {
        return List.of(
                new Step(1, "POST", "/echo", 200, true),
                new Step(2, "GET", "/no-such-route", 404, false),
                new Step(3, "POST", "/echo", 200, true),
                new Step(4, "POST", "/deny", 403, false),
                new Step(5, "PUT", "/echo", 200, true),
                new Step(6, "POST", "/dead", 502, false),
                new Step(7, "POST", "/echo", 200, true),
                new Step(8, "GET", "/echo", 200, true));
    }

    @Test
    void keepAliveAndPipelinedRequestsSeeOnlyTheirOwnHeadersAndBodiesAcrossErrorsAndShortCircuits()
            throws Exception {
        int dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = socket.getLocalPort();
        }
        try (Node up = new Node("up"); Gateway gateway = Faults.gateway()) {
            gateway.engine().put(ResourceKind.ROUTES, "echo", """
                    {"uri": "/echo", "upstream": {"nodes": {"%s": 1}}}""".formatted(up.address()));
            gateway.engine().put(ResourceKind.ROUTES, "deny", """
                    {"uri": "/deny", "plugins": {"fault-stamp": {"deny": true}},
                     "upstream": {"nodes": {"%s": 1}}}""".formatted(up.address()));
            gateway.engine().put(ResourceKind.ROUTES, "dead", """
                    {"uri": "/dead", "upstream": {"nodes": {"127.0.0.1:%d": 1}}}""".formatted(dead));

            try (Wire wire = new Wire(gateway.port(), DEADLINE)) {
                for (Step step : steps()) {
                    wire.send(step.raw());
                    check(step, wire.read());
                }
            }
            try (Wire wire = new Wire(gateway.port(), DEADLINE)) {
                StringBuilder all = new StringBuilder();
                steps().forEach(step -> all.append(step.raw()));
                wire.send(all.toString());
                for (Step step : steps()) {
                    check(step, wire.read());
                }
            }

            long expected = 2 * steps().stream().filter(Step::reachesUpstream).count();
            assertEquals(expected, up.received.size(), "requests the upstream received");
            Map<Integer, Integer> seen = new TreeMap<>();
            for (Node.Received received : up.received) {
                int n = Integer.parseInt(received.header("x-req"));
                seen.merge(n, 1, Integer::sum);
                Step step = steps().get(n - 1);
                assertEquals(step.body(), received.body(), "body the upstream got for request " + n);
                assertEquals(step.method(), received.method());
                for (String name : received.headers().keySet()) {
                    if (name.startsWith("x-only-")) {
                        assertEquals("x-only-" + n, name, "request " + n + " carried another request's header");
                    }
                }
                assertEquals("secret-" + n, received.header("x-only-" + n));
                assertEquals(step.body().isEmpty() ? null : Integer.toString(step.body().length()),
                        received.header("content-length"), "content-length of request " + n);
            }
            System.out.println("[security] isolation: 16 requests (8 keep-alive, 8 pipelined) with 404, 403, 502 "
                    + "between them; the upstream got " + seen + " (request -> times), each with its own headers and body");
        }
    }

    private static void check(Step step, Wire.Response response) {
        assertEquals(step.status(), response.status(), "request " + step.n() + ": " + response.text());
        for (String name : response.headers().keySet()) {
            if (name.startsWith("x-only-") || name.equals("x-req")) {
                throw new AssertionError("response " + step.n() + " carries a request header: " + name);
            }
        }
        if (step.reachesUpstream()) {
            assertEquals("up:" + step.body(), response.text(), "answer to request " + step.n());
        } else {
            assertNull(response.header("x-node"), "answer " + step.n() + " came from the upstream");
        }
    }

    @Test
    void concurrentRequestsOnManyConnectionsEachGetTheirOwnAnswer() throws Exception {
        try (Node up = new Node("up"); Gateway gateway = Faults.gateway()) {
            gateway.engine().put(ResourceKind.ROUTES, "echo", """
                    {"uri": "/echo", "upstream": {"nodes": {"%s": 1}}}""".formatted(up.address()));
            // each request's x-seq must come back as the x-seen-seq of its own answer
            LoadClient load = new LoadClient(gateway.port(), 8, DEADLINE, seq -> "/echo",
                    (seq, r) -> r.status() == 200 && Long.toString(seq).equals(r.header("x-seen-seq")) ? null
                            : r.status() + " answered with x-seen-seq " + r.header("x-seen-seq"));
            LoadClient.Report report;
            try (load) {
                load.awaitAnswers(1500, Duration.ofSeconds(60));
                report = load.stop();
            }
            System.out.println("[security] isolation under 8 concurrent connections: " + report);
            assertEquals(0, report.failed(), report.toString());
        }
    }
}
