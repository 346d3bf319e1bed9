package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.gateway.faults.Faults;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log ({@code nginx_config.http.enable_access_log}, {@code access_log},
 * {@code access_log_format}) of a real gateway: a file in APISIX's default format, the route id
 * and upstream times of a custom one, a log that stops taking lines while requests go on, and
 * {@code /dev/stdout} of a gateway process.
 */
class AccessLogTest {

    @TempDir
    Path dir;
    private TestUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new TestUpstream("one");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void start(Path log, String format) {
        GatewayConfig config = ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0)
                .withOperations(new GatewayConfig.Operations(null, 7085, log, format, null, 9090, false));
        gateway = Gateway.start(config, Engine.builder().discoverPlugins());
        gateway.engine().put(ResourceKind.ROUTES, "r1", """
                {"uri": "/hello", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
    }

    private static List<String> awaitLines(Path file, int count) throws Exception {
        Faults.await(count + " access log lines", Duration.ofSeconds(10),
                () -> lines(file).size() >= count);
        return lines(file);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    @Test
    void everyRequestIsOneLineInApisixsDefaultFormat() throws Exception {
        Path log = dir.resolve("logs/access.log");
        start(log, GatewayConfig.Operations.DEFAULT_ACCESS_LOG_FORMAT);

        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("GET /hello?x=1 HTTP/1.1\r\nHost: a.test\r\nUser-Agent: probe/1\r\nReferer: http://r.test/\r\n"
                    + "\r\n");
            assertEquals(200, client.read().status());
            client.get("/nowhere", "b.test");
            assertEquals(404, client.read().status());
        }

        List<String> lines = awaitLines(log, 2);
        String time = "\\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\]";
        String up = Pattern.quote(upstream.address());
        assertTrue(lines.get(0).matches("127\\.0\\.0\\.1 - - " + time + " a\\.test \"GET /hello\\?x=1 HTTP/1\\.1\" 200 "
                + "14 \\d+\\.\\d{3} \"http://r\\.test/\" \"probe/1\" " + up + " 200 \\d+\\.\\d{3}"
                // pass_host "pass": the upstream is asked for the client's Host, as APISIX's $upstream_host
                + " \"http://a\\.test/hello\\?x=1\" \"-\""), lines.get(0));
        assertTrue(lines.get(1).matches("127\\.0\\.0\\.1 - - " + time + " b\\.test \"GET /nowhere HTTP/1\\.1\" 404 "
                + "\\d+ \\d+\\.\\d{3} \"-\" \"-\" - - - \".*\" \"-\""), lines.get(1));
        assertEquals(2, lines.size());
    }

    @Test
    void aCustomFormatPrintsTheRouteIdAndTheUpstreamsAddressStatusAndTimes() throws Exception {
        Path log = dir.resolve("custom.log");
        start(log, "$route_id $status $upstream_addr $upstream_status $upstream_response_time $request_time"
                + " \"$http_x_trace\"");

        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("GET /hello HTTP/1.1\r\nHost: a.test\r\nX-Trace: t\"1\r\n\r\n");
            assertEquals(200, client.read().status());
        }

        String line = awaitLines(log, 1).get(0);
        // nginx escapes a quote in a value as \x22
        assertTrue(line.matches("r1 200 " + Pattern.quote(upstream.address()) + " 200 \\d+\\.\\d{3} \\d+\\.\\d{3}"
                + " \"t\\\\x221\""), line);
    }

    @Test
    void aLogThatTakesNoLinesHoldsUpNoRequestAndLosesNoneTheQueueHeld() throws Exception {
        Path fifo = dir.resolve("access.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw")) {
            start(fifo, "$request_uri $status");
            int requests = 1500;

            // the pipe takes ~64 KiB and nobody reads it: the log's thread is stuck after a few thousand lines
            try (RawHttp client = new RawHttp(gateway.port())) {
                for (int i = 0; i < requests; i++) {
                    client.get("/hello?n=" + i + "&pad=" + "p".repeat(200), "a.test");
                    assertEquals(200, client.read().status());
                }
            }

            try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                    new FileInputStream(holder.getFD()), StandardCharsets.UTF_8))) {
                for (int i = 0; i < requests; i++) {
                    assertTrue(reader.readLine().startsWith("/hello?n=" + i + "&"));
                }
            }
        }
    }

    @Test
    void devStdoutGetsTheLinesOfAGatewayProcess() throws Exception {
        int node;
        int admin;
        int metrics;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
                ServerSocket c = new ServerSocket(0)) {
            node = a.getLocalPort();
            admin = b.getLocalPort();
            metrics = c.getLocalPort();
        }
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                apisix:
                  node_listen: %d
                  enable_control: false
                  ssl:
                    enable: false
                deployment:
                  admin:
                    admin_listen:
                      port: %d
                plugin_attr:
                  prometheus:
                    export_addr:
                      port: %d
                nginx_config:
                  http:
                    enable_access_log: true
                    access_log: /dev/stdout
                    access_log_format: "ACCESS $request_uri $status"
                """.formatted(node, admin, metrics));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.gatekit.gateway.GatewayMain", "--config", config.toString()).redirectErrorStream(true).start();
        BlockingQueue<String> output = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        pump.start();
        try {
            Faults.await("the gateway process listening", Duration.ofSeconds(30), () -> {
                try (java.net.Socket probe = new java.net.Socket("127.0.0.1", node)) {
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            try (RawHttp client = new RawHttp(node)) {
                client.get("/stdout-probe", "a.test");
                assertEquals(404, client.read().status());
            }

            String found = null;
            for (String line; found == null && (line = output.poll(10, TimeUnit.SECONDS)) != null; ) {
                found = line.startsWith("ACCESS ") ? line : null;
            }
            assertEquals("ACCESS /stdout-probe 404", found, "stdout: " + output);
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }
}
