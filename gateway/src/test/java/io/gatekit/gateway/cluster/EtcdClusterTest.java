package io.gatekit.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.gatekit.api.metrics.Counter;
import io.gatekit.config.etcd.EtcdServer;
import io.gatekit.config.etcd.TcpProxy;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several gateways sharing one config through a real etcd, all on loopback: what one node's Admin
 * API writes, every node serves; what APISIX writes to etcd, Gatekit serves; an etcd outage loses
 * neither requests nor changes.
 */
@Tag("process") // starts a runner or etcd: -DexcludedGroups=process skips it
class EtcdClusterTest {

    private static final String KEY = GatewayConfig.EXAMPLE_ADMIN_KEY;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    /**
     * How long a change may take to reach the other nodes before a test gives up: generous, since
     * what is tested is that it arrives (a watch event), not how fast on a loaded machine.
     */
    private static final long PROPAGATION = 15_000;

    @TempDir
    static Path etcdDir;
    private static EtcdServer etcd;
    private static Client etcdClient;
    private static HttpServer upstream;

    @TempDir
    Path dir;
    private final List<Gateway> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startEtcdAndUpstream() throws Exception {
        etcd = EtcdServer.start(etcdDir);
        etcdClient = Client.builder().endpoints(etcd.url()).build();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        upstream.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        upstream.createContext("/", exchange -> {
            byte[] body = ("upstream saw " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
    }

    @AfterAll
    static void stopEtcdAndUpstream() throws Exception {
        if (etcdClient != null) {
            etcdClient.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(Gateway::close);
    }

    // ---- tests ----

    @Test
    void aChangeThroughOneNodesAdminApiIsServedByTheOthers() throws Exception {
        String prefix = freshPrefix();
        Gateway a = node(prefix);
        Gateway b = node(prefix);
        Gateway c = node(prefix);

        HttpResponse<String> put = admin(a, "PUT", "/apisix/admin/routes/r1", route("/one"));
        assertEquals(201, put.statusCode(), put.body());
        long written = System.nanoTime();
        awaitStatus(b, "/one", 200, written, PROPAGATION);
        awaitStatus(c, "/one", 200, written, PROPAGATION);

        HttpResponse<String> changed = admin(b, "PUT", "/apisix/admin/routes/r1", route("/two"));
        assertEquals(200, changed.statusCode(), changed.body());
        written = System.nanoTime();
        awaitStatus(a, "/two", 200, written, PROPAGATION);
        awaitStatus(c, "/two", 200, written, PROPAGATION);
        assertEquals(404, status(a, "/one"));

        HttpResponse<String> deleted = admin(c, "DELETE", "/apisix/admin/routes/r1", null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        written = System.nanoTime();
        awaitStatus(a, "/two", 404, written, PROPAGATION);
        awaitStatus(b, "/two", 404, written, PROPAGATION);
    }

    @Test
    void adminApiAnswersCarryEtcdRevisionsAndTheWritingNodeReadsItsOwnWrite() throws Exception {
        String prefix = freshPrefix();
        Gateway a = node(prefix);
        Gateway b = node(prefix);

        JsonNode created = JSON.readTree(admin(a, "PUT", "/apisix/admin/routes/r1", route("/one")).body());
        KeyValue stored = etcdGet(prefix + "/routes/r1");
        assertEquals(stored.getCreateRevision(), created.get("createdIndex").asLong());
        assertEquals(stored.getModRevision(), created.get("modifiedIndex").asLong());
        assertEquals(prefix + "/routes/r1", created.get("key").asText(), "the etcd key, as APISIX shows it");
        JsonNode value = JSON.readTree(stored.getValue().toString(StandardCharsets.UTF_8));
        assertEquals("r1", value.get("id").asText());
        assertTrue(value.get("create_time").asLong() > 0 && value.get("update_time").asLong() > 0, value.toString());
        assertEquals(value, created.get("value"));
        // read-your-write on the node that wrote, with no waiting
        assertEquals(200, status(a, "/one"));

        JsonNode updated = JSON.readTree(admin(a, "PATCH", "/apisix/admin/routes/r1", "{\"uri\": \"/patched\"}")
                .body());
        KeyValue patched = etcdGet(prefix + "/routes/r1");
        assertEquals(stored.getCreateRevision(), updated.get("createdIndex").asLong());
        assertEquals(patched.getModRevision(), updated.get("modifiedIndex").asLong());
        assertTrue(patched.getModRevision() > stored.getModRevision());
        assertEquals(200, status(a, "/patched"));

        awaitStatus(b, "/patched", 200, System.nanoTime(), PROPAGATION);
        JsonNode onB = JSON.readTree(admin(b, "GET", "/apisix/admin/routes/r1", null).body());
        assertEquals(updated.get("modifiedIndex"), onB.get("modifiedIndex"));
        assertEquals(updated.get("createdIndex"), onB.get("createdIndex"));

        JsonNode posted = JSON.readTree(admin(b, "POST", "/apisix/admin/routes", route("/posted")).body());
        String id = posted.get("value").get("id").asText();
        assertTrue(id.matches("\\d{20}"), id);
        assertEquals(Long.parseLong(id), posted.get("createdIndex").asLong() - 1,
                "the id is the revision of the write to gen_id, just before the route's own write");
        awaitStatus(a, "/posted", 200, System.nanoTime(), PROPAGATION);
    }

    @Test
    void aConfigWrittenToEtcdInApisixLayoutIsServed() throws Exception {
        // what APISIX's Admin API leaves in etcd: its placeholders and resources
        etcdPut("/apisix/routes/", "init_dir");
        etcdPut("/apisix/consumers/jack", "{\"username\": \"jack\", \"plugins\": {}}");
        etcdPut("/apisix/upstreams/1", """
                {"id": "1", "type": "roundrobin", "nodes": {"%s": 1}, "create_time": 1700000000,
                 "update_time": 1700000000}""".formatted(upstreamAddress()));
        etcdPut("/apisix/routes/1", """
                {"id": "1", "uri": "/written-by-apisix", "upstream_id": "1", "status": 1, "priority": 0,
                 "create_time": 1700000001, "update_time": 1700000001}""");
        try {
            Gateway a = node(null);
            assertEquals(200, status(a, "/written-by-apisix"));
            JsonNode shown = JSON.readTree(admin(a, "GET", "/apisix/admin/routes/1", null).body());
            assertEquals(etcdGet("/apisix/routes/1").getModRevision(), shown.get("modifiedIndex").asLong());
            assertEquals(1700000001L, shown.get("value").get("create_time").asLong());
            assertEquals("/apisix/routes/1", shown.get("key").asText());

            etcdPut("/apisix/routes/2", """
                    {"id": "2", "uri": "/also-by-apisix", "upstream_id": "1"}""");
            awaitStatus(a, "/also-by-apisix", 200, System.nanoTime(), PROPAGATION);
        } finally {
            etcdClient.getKVClient().delete(bytes("/apisix/"),
                    io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNodeStartedAfterChangesLoadsThemAll() throws Exception {
        String prefix = freshPrefix();
        Gateway a = node(prefix);
        assertEquals(201, admin(a, "PUT", "/apisix/admin/upstreams/u1", upstreamJson()).statusCode());
        for (int i = 0; i < 5; i++) {
            assertEquals(201, admin(a, "PUT", "/apisix/admin/routes/r" + i,
                    "{\"uri\": \"/late/" + i + "\", \"upstream_id\": \"u1\"}").statusCode());
        }
        assertEquals(200, admin(a, "DELETE", "/apisix/admin/routes/r4", null).statusCode());

        Gateway late = node(prefix);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, status(late, "/late/" + i));
        }
        assertEquals(404, status(late, "/late/4"));
        JsonNode list = JSON.readTree(admin(late, "GET", "/apisix/admin/routes", null).body());
        assertEquals(4, list.get("total").asInt());
    }

    @Test
    void anInvalidValueWrittenToEtcdIsRejectedAndTheLastGoodConfigStays() throws Exception {
        String prefix = freshPrefix();
        Gateway a = node(prefix);
        Gateway b = node(prefix);
        assertEquals(201, admin(a, "PUT", "/apisix/admin/routes/r1", route("/good")).statusCode());
        awaitStatus(b, "/good", 200, System.nanoTime(), PROPAGATION);
        Counter rejected = b.engine().metrics().counter("gatekit_config_changes_total", "result",
                "rejected");
        long before = rejected.count();

        etcdPut(prefix + "/routes/r1", "{\"id\": \"r1\", \"uri\": 7, \"upstream_id\": \"nowhere\"}");
        etcdPut(prefix + "/routes/r2", "this is not JSON");
        awaitTrue(() -> rejected.count() >= before + 2, "both bad values rejected on node b");
        assertEquals(200, status(b, "/good"), "the last good value of r1 stays");
        assertEquals(200, status(a, "/good"));

        // a node starting now finds the bad values in etcd: it skips them and loads the rest
        assertEquals(201, admin(a, "PUT", "/apisix/admin/routes/r3", route("/fine")).statusCode());
        Gateway c = node(prefix);
        assertEquals(200, status(c, "/fine"));
        assertEquals(404, status(c, "/good"), "r1 has no good value in etcd for a new node");
        assertTrue(c.engine().metrics().counter("gatekit_config_changes_total", "result", "rejected").count() >= 1);

        // the Admin API refuses invalid values before they reach etcd
        HttpResponse<String> refused = admin(a, "PUT", "/apisix/admin/routes/r4", "{\"uri\": 7}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals(0, etcdClient.getKVClient().get(bytes(prefix + "/routes/r4")).get(5, TimeUnit.SECONDS)
                .getKvs().size());
    }

    @Test
    void etcdStoppedAndRestartedUnderLoadLosesNoRequestAndNoChange() throws Exception {
        String prefix = freshPrefix();
        Gateway a = node(prefix);
        Gateway b = node(prefix);
        assertEquals(201, admin(a, "PUT", "/apisix/admin/routes/before", route("/before")).statusCode());
        awaitStatus(b, "/before", 200, System.nanoTime(), PROPAGATION);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (Gateway node : List.of(a, b, a, b)) {
            Thread client = new Thread(() -> {
                while (running.get()) {
                    try {
                        int status = status(node, "/before");
                        if (status == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add("status " + status);
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }, "load-" + clients.size());
            client.start();
            clients.add(client);
        }
        try {
            awaitTrue(() -> ok.get() > 100, "load running");

            etcd.kill();
            long atKill = ok.get();
            awaitTrue(() -> ok.get() > atKill + 200, "requests served while etcd is down");
            HttpResponse<String> whileDown = admin(a, "PUT", "/apisix/admin/routes/down", route("/down"));
            assertEquals(503, whileDown.statusCode(), whileDown.body());
            assertTrue(whileDown.body().contains("etcd"), whileDown.body());

            etcd.restart();
            long atRestart = ok.get();
            HttpResponse<String> after = awaitAdmin(a, "PUT", "/apisix/admin/routes/after", route("/after"));
            assertEquals(201, after.statusCode(), after.body());
            awaitStatus(b, "/after", 200, System.nanoTime(), 10_000);
            assertEquals(200, status(a, "/after"));
            assertEquals(200, status(b, "/before"));
            awaitTrue(() -> ok.get() > atRestart + 100, "load still running after the restart");
            // and the watch is live again: a change straight into etcd reaches both nodes quickly
            assertEquals(201, admin(b, "PUT", "/apisix/admin/routes/later", route("/later")).statusCode());
            awaitStatus(a, "/later", 200, System.nanoTime(), PROPAGATION);
        } finally {
            running.set(false);
            for (Thread client : clients) {
                client.join(10_000);
            }
            // the tests' own client may sit in gRPC's reconnect backoff; later tests get a fresh one
            etcdClient.close();
            etcdClient = Client.builder().endpoints(etcd.url()).build();
        }
        assertEquals(List.of(), failures, "no request failed");
    }

    @Test
    void aNodeCutOffWhileEtcdCompactsItsHistoryReloadsEverythingWhenItReconnects() throws Exception {
        String prefix = freshPrefix();
        try (TcpProxy partition = new TcpProxy(etcd.port())) {
            Gateway cutOff = node(prefix, partition.url());
            etcdPut(prefix + "/routes/kept", route("/kept"));
            etcdPut(prefix + "/routes/gone", route("/gone"));
            awaitStatus(cutOff, "/gone", 200, System.nanoTime(), PROPAGATION);
            assertEquals(200, status(cutOff, "/kept"));

            partition.cut();
            etcdPut(prefix + "/routes/new", route("/new"));
            etcdClient.getKVClient().delete(bytes(prefix + "/routes/gone")).get(5, TimeUnit.SECONDS);
            long latest = etcdPut(prefix + "/routes/kept", route("/kept"));
            etcdClient.getKVClient().compact(latest).get(5, TimeUnit.SECONDS);
            assertEquals(200, status(cutOff, "/gone"), "cut off, the node serves what it had");
            partition.heal();

            // the changes it missed are compacted away: only a full reload can bring it up to date
            awaitStatus(cutOff, "/new", 200, System.nanoTime(), 15_000);
            awaitStatus(cutOff, "/gone", 404, System.nanoTime(), PROPAGATION);
            assertEquals(200, status(cutOff, "/kept"));
        }
    }

    @Test
    void nodesReloadEverythingWhenEtcdComesBackWithOtherData() throws Exception {
        String prefix = freshPrefix();
        Gateway a = node(prefix);
        for (int i = 0; i < 5; i++) {
            assertEquals(201, admin(a, "PUT", "/apisix/admin/routes/r" + i, route("/old/" + i)).statusCode());
        }
        try {
            etcd.wipe();
            etcdClient.close();
            etcdClient = Client.builder().endpoints(etcd.url()).build();
            etcdPut(prefix + "/routes/fresh", route("/fresh"));

            // a watch resumed at the node's revision would wait for revisions the new data reaches later
            awaitStatus(a, "/fresh", 200, System.nanoTime(), 15_000);
            assertEquals(404, status(a, "/old/0"));
        } finally {
            etcdClient.getKVClient().delete(bytes(prefix + "/"),
                    io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS);
        }
    }

    // ---- nodes ----

    /** A gateway on ephemeral ports whose config lives in etcd under {@code prefix} (null: APISIX's default). */
    private Gateway node(String prefix) throws IOException {
        return node(prefix, etcd.url());
    }

    private Gateway node(String prefix, String etcdUrl) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".yaml");
        Files.writeString(file, """
                deployment:
                  role: traditional
                  role_traditional:
                    config_provider: etcd
                  etcd:
                    host:
                      - "%s"
                %s    timeout: 2
                """.formatted(etcdUrl, prefix == null ? "" : "    prefix: " + prefix + "\n"));
        GatewayConfig config = ConfigLoader.load(file, warning -> {
            throw new AssertionError(warning);
        }).withPorts(0, 0, 0);
        Gateway node = Gateway.start(config);
        nodes.add(node);
        return node;
    }

    private static String freshPrefix() {
        return "/gatekit-test-" + PREFIXES.incrementAndGet();
    }

    private static String upstreamAddress() {
        return "127.0.0.1:" + upstream.getAddress().getPort();
    }

    private static String upstreamJson() {
        return "{\"type\": \"roundrobin\", \"nodes\": {\"" + upstreamAddress() + "\": 1}}";
    }

    private static String route(String uri) {
        return "{\"uri\": \"" + uri + "\", \"upstream\": " + upstreamJson() + "}";
    }

    // ---- HTTP ----

    private HttpResponse<String> admin(Gateway node, String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .header("X-API-KEY", KEY).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Retries an admin write while etcd is still coming back (503), for up to 15 s. */
    private HttpResponse<String> awaitAdmin(Gateway node, String method, String path, String body) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        HttpResponse<String> response = admin(node, method, path, body);
        while (response.statusCode() == 503 && System.nanoTime() < deadline) {
            response = admin(node, method, path, body);
        }
        return response;
    }

    private int status(Gateway node, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Polls until {@code path} answers {@code expected}; fails once {@code millis} have passed since {@code from}. */
    private void awaitStatus(Gateway node, String path, int expected, long from, long millis) throws Exception {
        long deadline = from + TimeUnit.MILLISECONDS.toNanos(millis);
        int last;
        do {
            last = status(node, path);
            if (last == expected) {
                return;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError(path + " on port " + node.port() + " still answers " + last + " " + millis
                + " ms after the change (expected: " + expected + ")");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 15 s: " + what);
            }
            Thread.onSpinWait();
        }
    }

    // ---- etcd ----

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /** Writes straight into etcd, as another tool would; returns the revision. */
    private static long etcdPut(String key, String value) throws Exception {
        return etcdClient.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS).getHeader()
                .getRevision();
    }

    private static KeyValue etcdGet(String key) throws Exception {
        List<KeyValue> kvs = etcdClient.getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getKvs();
        assertEquals(1, kvs.size(), key);
        return kvs.get(0);
    }
}
