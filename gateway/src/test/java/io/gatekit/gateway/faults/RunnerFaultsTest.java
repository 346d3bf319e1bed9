package io.gatekit.gateway.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ext-plugin runner (the released APISIX Java Plugin Runner, started and supervised by the
 * gateway) killed under load and restarted by the gateway: routes that allow degradation keep
 * serving, routes that do not answer 503 at once, runner calls resume after the restart, and no
 * connection or file descriptor is left behind.
 */
class RunnerFaultsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @BeforeEach
    void quiet() {
        Faults.quietLogs();
    }

    @AfterEach
    void normal() {
        Faults.normalLogs();
    }
    /** The Java runner is a Spring Boot application: it takes seconds to start, more on a busy box. */
    private static final Duration RUNNER_START = Duration.ofSeconds(120);

    @Test
    void killingTheRunnerUnderLoadHonoursDegradationAndCallsResumeAfterItsRestartWithNothingLeaked(
            @TempDir Path dir) throws Exception {
        try (Node upstream = new Node("up"); Gateway gateway = Faults.gateway(dir, JavaRunner.extPluginYaml())) {
            String route = """
                    {"uri": "/%s", "plugins": {"ext-plugin-pre-req": {"allow_degradation": %s,
                     "conf": [{"name": "gk-rewrite", "value": "fault"}]}}, "upstream": {"nodes": {"%s": 1}}}""";
            gateway.engine().put(ResourceKind.ROUTES, "strict", route.formatted("strict", false, upstream.address()));
            gateway.engine().put(ResourceKind.ROUTES, "lenient", route.formatted("lenient", true, upstream.address()));
            awaitRunnerCalls(gateway);

            // the runner rewrites the path to /rewritten: an upstream that saw /rewritten was called through it
            AtomicLong strictThrough = new AtomicLong();
            AtomicLong strict503 = new AtomicLong();
            AtomicLong lenientThrough = new AtomicLong();
            AtomicLong lenientDegraded = new AtomicLong();
            LoadClient load = new LoadClient(gateway.port(), 6, DEADLINE, seq -> seq % 2 == 0 ? "/strict" : "/lenient",
                    (seq, r) -> {
                        boolean through = r.status() == 200 && "/rewritten".equals(r.header("x-seen-uri"));
                        if (seq % 2 == 0) {
                            if (through) {
                                strictThrough.incrementAndGet();
                                return null;
                            }
                            if (r.status() == 503 && r.text().contains("ext-plugin runner")) {
                                strict503.incrementAndGet();
                                return null;
                            }
                            return "strict: " + r.status() + " at " + r.header("x-seen-uri") + ": " + r.text();
                        }
                        if (through) {
                            lenientThrough.incrementAndGet();
                            return null;
                        }
                        if (r.status() == 200 && "/lenient".equals(r.header("x-seen-uri"))) {
                            lenientDegraded.incrementAndGet();
                            return null;
                        }
                        return "lenient: " + r.status() + " at " + r.header("x-seen-uri") + ": " + r.text();
                    });
            try (load) {
                load.awaitAnswers(500, Duration.ofSeconds(60));
                int fdsBefore = Faults.openFds();
                int unixBefore = Faults.openUnixSockets();
                ProcessHandle runner = JavaRunner.process().orElseThrow(() -> new AssertionError("no runner process"));

                runner.destroyForcibly();
                Faults.await("503s on the strict route", Duration.ofSeconds(30), () -> strict503.get() > 50);
                Faults.await("degraded requests on the lenient route", Duration.ofSeconds(30),
                        () -> lenientDegraded.get() > 50);
                long throughAtRestart = strictThrough.get();
                Faults.await("runner calls resumed after the restart", RUNNER_START,
                        () -> strictThrough.get() > throughAtRestart + 200);
                long resumedStrict503 = strict503.get();
                load.awaitAnswers(500, Duration.ofSeconds(60));
                int fdsAfter = Faults.openFds();
                int unixAfter = Faults.openUnixSockets();
                LoadClient.Report report = load.stop();

                long restarted = JavaRunner.process().map(ProcessHandle::pid).orElse(-1L);
                System.out.println("[faults] runner " + runner.pid() + " killed and restarted as " + restarted
                        + " under load: " + report + "; strict: " + strictThrough + " through the runner, "
                        + strict503 + " answered 503; lenient: " + lenientThrough + " through the runner, "
                        + lenientDegraded + " degraded; fds " + fdsBefore + " -> " + fdsAfter + ", unix sockets "
                        + unixBefore + " -> " + unixAfter);
                assertEquals(0, report.failed(), report.toString());
                assertTrue(restarted > 0 && restarted != runner.pid(), "the runner was not restarted");
                assertEquals(resumedStrict503, strict503.get(), "503s after calls had resumed");
                // thousands of calls failed while the runner was down: one leaked socket each would show
                assertTrue(unixAfter <= unixBefore + 6, "unix sockets " + unixBefore + " -> " + unixAfter);
                assertTrue(fdsAfter <= fdsBefore + 12, "open fds " + fdsBefore + " -> " + fdsAfter);
            }
        }
    }

    /** Waits until a request on the strict route goes through the runner (it may still be starting). */
    private static void awaitRunnerCalls(Gateway gateway) throws Exception {
        long end = System.nanoTime() + RUNNER_START.toNanos();
        while (true) {
            try (Wire wire = new Wire(gateway.port(), DEADLINE)) {
                Wire.Response response = wire.get("/strict", "faults.test").read();
                if (response.status() == 200 && "/rewritten".equals(response.header("x-seen-uri"))) {
                    return;
                }
                if (System.nanoTime() > end) {
                    throw new AssertionError("the runner did not answer within " + RUNNER_START + ": "
                            + response.status() + " " + response.text());
                }
            }
            Thread.sleep(200);
        }
    }
}
