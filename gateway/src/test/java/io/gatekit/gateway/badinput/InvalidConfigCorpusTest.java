package io.gatekit.gateway.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.gateway.RawHttp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated corpus of invalid configs (see {@link InvalidConfigCorpus}), each PUT through the
 * real Admin API over HTTP in place of a good resource: every one must get a 400 whose error
 * names the broken field, the good resource must stay as it was, and the data plane must keep
 * answering with the good config throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvalidConfigCorpusTest {

    @TempDir
    static Path dir;
    private GatewayUnderTest gatekit;
    private AdminClient admin;
    private final Map<String, JsonNode> good = new LinkedHashMap<>();
    private final Map<String, String> stored = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        gatekit = new GatewayUnderTest(dir, "gatekit:\n  max_header_size: 8k\n");
        admin = new AdminClient(gatekit.gateway.adminPort());
        String node = gatekit.upstream.address();
        int port = Integer.parseInt(node.substring(node.indexOf(':') + 1));
        String upstream = """
                {"type": "roundrobin", "nodes": {"%s": 1}, "retries": 1, "retry_timeout": 5, "scheme": "http",
                 "pass_host": "pass", "hash_on": "vars", "name": "u", "desc": "d", "labels": {"team": "edge"},
                 "timeout": {"connect": 2, "send": 2, "read": 2},
                 "keepalive_pool": {"size": 8, "idle_timeout": 30, "requests": 100}}""".formatted(node);
        String meta = """
                "_meta": {"disable": false, "priority": 5, "error_response": {"message": "no"},
                          "filter": [["arg_never", "==", "set"]]}""";
        String mirror = """
                {"host": "http://127.0.0.1:9", "path": "/shadow", "path_concat_mode": "prefix", "sample_ratio": 0.5,
                 "timeout": {"connect": 1, "send": 1, "read": 1},
                 "headers": {"set": {"X-Mirror": "1"}, "remove": ["Authorization"]},
                 "body": true, "max_body_size": 1024, "max_in_flight": 4, "ssl_verify": true,
                 "targets": [{"host": "http://127.0.0.1:9", "path": "/t", "sample_ratio": 0.5}], %s}"""
                .formatted(meta);
        String ext = """
                {"conf": [{"name": "ext-plugin-A", "value": "{\\"enable\\":\\"feature\\"}"}],
                 "allow_degradation": true, "read_request_body": true, "timeout": 2, %s}""".formatted(meta);
        String extResp = """
                {"conf": [{"name": "ext-plugin-A", "value": "v"}], "allow_degradation": true, "timeout": 2,
                 "header_mode": "merge", %s}""".formatted(meta);
        good.put("upstreams", json("""
                {"type": "roundrobin", "nodes": [{"host": "127.0.0.1", "port": %d, "weight": 1, "priority": 0}],
                 "retries": 1, "pass_host": "rewrite", "upstream_host": "example.com", "scheme": "http",
                 "checks": {"active": {"type": "http", "http_path": "/", "timeout": 1, "port": %d,
                   "healthy": {"interval": 1, "successes": 2, "http_statuses": [200]},
                   "unhealthy": {"interval": 1, "http_failures": 2, "http_statuses": [500]}}},
                 "name": "u", "desc": "d", "labels": {"team": "edge"}}""".formatted(port, port)));
        good.put("services", json("""
                {"name": "s", "desc": "d", "labels": {"team": "edge"}, "enable_websocket": false,
                 "hosts": ["svc.example.com"], "upstream": %s,
                 "plugins": {"proxy-mirror": %s}}""".formatted(upstream, mirror)));
        good.put("plugin_configs", json("""
                {"desc": "d", "labels": {"team": "edge"},
                 "plugins": {"ext-plugin-pre-req": %s, "ext-plugin-post-req": %s}}""".formatted(ext, ext)));
        good.put("global_rules", json("""
                {"plugins": {"ext-plugin-post-resp": %s}}""".formatted(extResp)));
        good.put("routes", json("""
                {"uri": "/good", "name": "r", "desc": "d", "labels": {"team": "edge"}, "priority": 1,
                 "methods": ["GET", "POST"], "hosts": ["good.example.com"], "remote_addrs": ["127.0.0.1"],
                 "timeout": {"connect": 2, "send": 2, "read": 2}, "status": 1, "enable_websocket": false,
                 "vars": [["arg_x", "~=", "blocked"]],
                 "plugins": {"proxy-mirror": %s}, "upstream": %s}""".formatted(mirror, upstream)));
        for (Map.Entry<String, JsonNode> e : good.entrySet()) {
            AdminClient.Answer answer = admin.put("/" + e.getKey() + "/good", e.getValue().toString());
            assertTrue(answer.status() == 201 || answer.status() == 200, e.getKey() + ": " + answer.body());
            stored.put(e.getKey(), current(e.getKey()));
        }
        // the global rule's runner plugin never runs: its _meta.filter matches no request
    }

    @AfterAll
    void stop() {
        gatekit.close();
    }

    private static JsonNode json(String text) {
        try {
            return InvalidConfigCorpus.JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }

    private JsonNode pluginSchema(String name) {
        try {
            AdminClient.Answer answer = admin.get("/plugins/" + name);
            assertEquals(200, answer.status(), answer.body());
            return answer.json();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private List<InvalidConfigCorpus.Mutation> corpus() {
        InvalidConfigCorpus corpus = new InvalidConfigCorpus(this::pluginSchema);
        good.forEach(corpus::mutate);
        JsonNode route = good.get("routes");
        corpus.add("routes", route, "/upstream_id", "reference to a missing upstream", r -> {
            r.remove("upstream");
            r.put("upstream_id", "no-such-upstream");
        });
        corpus.add("routes", route, "/service_id", "reference to a missing service",
                r -> r.put("service_id", "no-such-service"));
        corpus.add("routes", route, "/plugin_config_id", "reference to a missing plugin_config",
                r -> r.put("plugin_config_id", "no-such-plugin-config"));
        corpus.add("services", good.get("services"), "/upstream_id", "reference to a missing upstream", s -> {
            s.remove("upstream");
            s.put("upstream_id", "no-such-upstream");
        });
        corpus.add("routes", route, "/uris", "both uri and uris", r -> r.putArray("uris").add("/other"));
        corpus.add("routes", route, "/uri", "neither uri nor uris", r -> r.remove("uri"));
        corpus.add("routes", route, "/host", "both host and hosts", r -> r.put("host", "h.example.com"));
        corpus.add("routes", route, "/remote_addr", "both remote_addr and remote_addrs",
                r -> r.put("remote_addr", "127.0.0.1"));
        corpus.add("routes", route, "/remote_addrs/0", "not an address",
                r -> r.putArray("remote_addrs").add("not-an-address"));
        corpus.add("routes", route, "/remote_addrs/0", "an IPv4 CIDR with a /33",
                r -> r.putArray("remote_addrs").add("10.0.0.0/33"));
        corpus.add("routes", route, "/upstream", "nothing to run", r -> {
            r.remove("upstream");
            r.remove("plugins");
        });
        corpus.add("routes", route, "/upstream/key", "chash without key",
                r -> ((ObjectNode) r.get("upstream")).put("type", "chash"));
        corpus.add("routes", route, "/upstream/upstream_host", "pass_host rewrite without upstream_host",
                r -> ((ObjectNode) r.get("upstream")).put("pass_host", "rewrite"));
        for (String badNode : List.of("127.0.0.1:abc", "127.0.0.1:0", "127.0.0.1:70000", "bad host:80", "", ":80",
                "127.0.0.1:-1")) {
            corpus.add("routes", route, "/upstream/nodes", "node address " + badNode, r -> {
                ObjectNode nodes = ((ObjectNode) r.get("upstream")).putObject("nodes");
                nodes.put(badNode, 1);
            });
        }
        corpus.add("routes", route, "/upstream/nodes", "node weight as a string",
                r -> ((ObjectNode) r.get("upstream")).putObject("nodes").put("127.0.0.1:80", "1"));
        corpus.add("routes", route, "/upstream/nodes", "node weight negative",
                r -> ((ObjectNode) r.get("upstream")).putObject("nodes").put("127.0.0.1:80", -1));
        for (String host : List.of("127.0.0.1:9797", "ftp://127.0.0.1", "http://127.0.0.1/path", "http://127.0.0.1?q=1",
                "http://", "http://has space")) {
            corpus.add("routes", route, "/plugins/proxy-mirror/host", "mirror host " + host,
                    r -> ((ObjectNode) r.at("/plugins/proxy-mirror")).put("host", host));
        }
        for (String path : List.of("no-slash", "/with?query", "/with&amp", "/")) {
            corpus.add("routes", route, "/plugins/proxy-mirror/path", "mirror path " + path,
                    r -> ((ObjectNode) r.at("/plugins/proxy-mirror")).put("path", path));
        }
        corpus.add("routes", route, "/plugins/proxy-mirror/headers/set", "a managed header set",
                r -> ((ObjectNode) r.at("/plugins/proxy-mirror/headers/set")).put("Content-Length", "1"));
        corpus.add("routes", route, "/plugins/proxy-mirror/headers/set", "a header name with a space",
                r -> ((ObjectNode) r.at("/plugins/proxy-mirror/headers/set")).put("Bad Name", "1"));
        corpus.add("routes", route, "/plugins/proxy-mirror/headers/set", "a header value with CRLF",
                r -> ((ObjectNode) r.at("/plugins/proxy-mirror/headers/set")).put("X-Split", "a\r\nX-Evil: 1"));
        for (String filter : List.of("\"not-a-list\"", "[[\"arg_a\", \"~~~\", \"1\"]]", "[[1, \"==\", 2]]",
                "[[\"arg_a\"]]", "[\"arg_a\", \"==\"]", "[[\"arg_a\", \"~~\", \"([\"]]")) {
            corpus.add("routes", route, "/plugins/proxy-mirror/_meta/filter", "_meta.filter " + filter,
                    r -> ((ObjectNode) r.at("/plugins/proxy-mirror/_meta")).set("filter", json(filter)));
        }
        for (String vars : List.of("[[\"arg_a\", \"~~~\", \"1\"]]", "[[\"arg_a\", \"~~\", \"([\"]]", "[\"x\"]",
                "[[]]")) {
            corpus.add("routes", route, "/vars", "vars " + vars, r -> r.set("vars", json(vars)));
        }
        corpus.add("routes", route, "/plugins/proxy-mirror/_meta/error_response", "_meta.error_response a number",
                r -> ((ObjectNode) r.at("/plugins/proxy-mirror/_meta")).put("error_response", 5));
        corpus.add("routes", route, "/plugins/proxy-mirror/targets/0/host", "a target without host",
                r -> ((ObjectNode) r.at("/plugins/proxy-mirror/targets/0")).remove("host"));
        corpus.add("plugin_configs", good.get("plugin_configs"), "/plugins/ext-plugin-pre-req/conf/0/name",
                "conf entry with an empty name",
                p -> ((ObjectNode) p.at("/plugins/ext-plugin-pre-req/conf/0")).put("name", ""));
        corpus.add("plugin_configs", good.get("plugin_configs"), "/plugins/ext-plugin-pre-req/conf",
                "conf as an object",
                p -> ((ObjectNode) p.at("/plugins/ext-plugin-pre-req")).putObject("conf").put("name", "A"));
        corpus.add("global_rules", good.get("global_rules"), "/plugins", "no plugins at all", g -> g.remove("plugins"));
        corpus.add("global_rules", good.get("global_rules"), "/plugins/gatekit-no-such-plugin", "only an unknown plugin",
                g -> g.putObject("plugins").putObject("gatekit-no-such-plugin"));
        return corpus.all();
    }

    @Test
    void everyInvalidConfigGets400NamingItsFieldAndTheGoodConfigKeepsServing() throws Exception {
        List<InvalidConfigCorpus.Mutation> mutations = corpus();
        Map<String, Integer> perKind = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        int dataPlaneChecks = 0;
        int lost = 0;
        long started = System.nanoTime();
        for (int i = 0; i < mutations.size(); i++) {
            InvalidConfigCorpus.Mutation m = mutations.get(i);
            perKind.merge(m.kind(), 1, Integer::sum);
            AdminClient.Answer answer = admin.put("/" + m.kind() + "/good", m.document().toString());
            if (answer.status() != 400) {
                problems.add(m + ": status " + answer.status() + " " + abbreviate(answer.body()) + "\n   doc "
                        + abbreviate(m.document().toString()));
                // put the good one back so the rest of the corpus still mutates a good config
                admin.put("/" + m.kind() + "/good", good.get(m.kind()).toString());
                continue;
            }
            if (!namesField(answer, m.pointer())) {
                problems.add(m + ": the error does not name the field: " + abbreviate(answer.body()));
            }
            if (i % 10 == 0) {
                String now = current(m.kind());
                if (!now.equals(stored.get(m.kind()))) {
                    problems.add(m + ": the good " + m.kind() + " changed to " + abbreviate(now));
                }
                dataPlaneChecks++;
                if (!theGoodRouteAnswers()) {
                    lost++;
                }
            }
        }
        assertTrue(theGoodRouteAnswers());
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("bad-input config corpus: %d invalid configs tried %s in %d ms, %d data-plane requests "
                + "between them, %d lost, %d problems%n", mutations.size(), perKind, millis, dataPlaneChecks + 1,
                lost, problems.size());
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
        assertEquals(0, lost);
        assertTrue(mutations.size() >= 1000, "only " + mutations.size() + " mutations");
        for (Map.Entry<String, String> e : stored.entrySet()) {
            assertEquals(e.getValue(), current(e.getKey()));
        }
    }

    /** The stored good resource of {@code kind}, without its timestamps. */
    private String current(String kind) throws IOException, InterruptedException {
        ObjectNode value = (ObjectNode) admin.get("/" + kind + "/good").json().path("value");
        value.remove("create_time");
        value.remove("update_time");
        return value.toString();
    }

    /** The error names the field: a violation at it (or under it), or its name in the message. */
    private static boolean namesField(AdminClient.Answer answer, String pointer) {
        JsonNode body = answer.json();
        for (JsonNode v : body.path("violations")) {
            String at = v.path("pointer").asText();
            if (at.equals(pointer) || at.startsWith(pointer + "/")) {
                return true;
            }
        }
        String[] segments = pointer.split("/");
        String name = "";
        for (int i = segments.length - 1; i >= 0 && name.isEmpty(); i--) {
            if (!segments[i].isEmpty() && !segments[i].chars().allMatch(Character::isDigit)) {
                name = segments[i];
            }
        }
        if (name.isEmpty()) {
            return false;
        }
        if (mentions(body.path("error_msg").asText(), name)) {
            return true;
        }
        for (JsonNode v : body.path("violations")) {
            if (mentions(v.path("message").asText(), name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentions(String msg, String name) {
        return (msg.contains("\"" + name + "\"") || msg.contains(name + ":")
                || msg.contains(name + " ") || msg.contains("[" + name + "]") || msg.endsWith(name)
                || msg.contains(name + ".") || msg.contains(name + "[") || msg.contains(name + ","));
    }

    private boolean theGoodRouteAnswers() throws IOException {
        try (RawHttp client = new RawHttp(gatekit.port())) {
            RawHttp.Response response = client.send("GET /good HTTP/1.1\r\nHost: good.example.com\r\n\r\n").read();
            return response.status() == 200 && response.text().equals("ok /good");
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 400 ? text.substring(0, 400) + "..." : text;
    }
}
