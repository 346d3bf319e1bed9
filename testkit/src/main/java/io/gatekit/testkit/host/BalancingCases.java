package io.gatekit.testkit.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testkit.host.HostFixture.Sent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which node serves: weights, priorities, and consistent hashing on every {@code hash_on}. */
interface BalancingCases extends Cases {

    @Test
    default void weightedRoundRobinSplitsRequestsByWeight() throws Exception {
        HostFixture f = fixture();
        f.route("""
                {"uri": "/*", "upstream": {"type": "roundrobin", "nodes": {"%s": 3, "%s": 1}}}"""
                .formatted(f.a.node(), f.b.node()));

        for (int i = 0; i < 40; i++) {
            assertEquals(200, f.send(ClientRequest.of("GET", "/w")).status());
        }

        assertEquals(30, f.a.received().size(), "smooth weighted round robin: exactly 3 of every 4");
        assertEquals(10, f.b.received().size());
    }

    @Test
    default void aNodeOfWeightZeroGetsNoRequest() throws Exception {
        HostFixture f = fixture();
        f.route("""
                {"uri": "/*", "upstream": {"nodes": {"%s": 1, "%s": 0}}}""".formatted(f.a.node(), f.b.node()));

        for (int i = 0; i < 10; i++) {
            f.send(ClientRequest.of("GET", "/z"));
        }

        assertEquals(10, f.a.received().size());
        assertEquals(0, f.b.received().size());
    }

    @Test
    default void lowerPriorityNodesServeOnlyWhileTheHigherOnesFail() throws Exception {
        HostFixture f = fixture();
        f.route("""
                {"uri": "/*", "upstream": {"nodes": [%s, %s]}}""".formatted(HostFixture.node(f.a.port(), 1, 1),
                HostFixture.node(f.b.port(), 1, 0)));
        for (int i = 0; i < 5; i++) {
            f.send(ClientRequest.of("GET", "/p"));
        }
        f.route("""
                {"uri": "/*", "upstream": {"nodes": [%s, %s]}}""".formatted(
                HostFixture.node(HostFixture.deadPort(), 1, 1), HostFixture.node(f.b.port(), 1, 0)));

        Sent sent = f.send(ClientRequest.of("GET", "/p"));

        assertEquals(5, f.a.received().size());
        assertEquals(1, f.b.received().size(), "the backup served once the primary failed, never before");
        assertEquals(200, sent.status());
    }

    @Test
    default void chashOnAHeaderKeepsEachKeyOnOneNode() throws Exception {
        assertKeysStick("\"hash_on\": \"header\", \"key\": \"x-user\"", key -> ClientRequest.of("GET", "/h",
                "x-user", key));
    }

    @Test
    default void chashOnAVariableKeepsEachKeyOnOneNode() throws Exception {
        assertKeysStick("\"hash_on\": \"vars\", \"key\": \"arg_user\"", key -> ClientRequest.of("GET",
                "/v?user=" + key));
    }

    @Test
    default void chashOnACookieKeepsEachKeyOnOneNode() throws Exception {
        assertKeysStick("\"hash_on\": \"cookie\", \"key\": \"sid\"", key -> ClientRequest.of("GET", "/c",
                "Cookie", "theme=dark; sid=" + key));
    }

    @Test
    default void chashOnVarsCombinationsKeepsEachKeyOnOneNode() throws Exception {
        assertKeysStick("\"hash_on\": \"vars_combinations\", \"key\": \"$arg_a$arg_b\"", key -> ClientRequest.of(
                "GET", "/vc?a=" + key + "&b=" + key.length()));
    }

    @Test
    default void chashKeepsKeysOnTheirNodeWhenAnotherNodeLeaves() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "\"type\": \"chash\", \"hash_on\": \"header\", \"key\": \"x-user\"", f.a, f.b, f.c);
        Map<String, String> before = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            before.put("user" + i, f.send(ClientRequest.of("GET", "/k", "x-user", "user" + i)).response()
                    .header("x-node"));
        }
        f.proxy("{}", "\"type\": \"chash\", \"hash_on\": \"header\", \"key\": \"x-user\"", f.a, f.b);

        for (Map.Entry<String, String> key : before.entrySet()) {
            String now = f.send(ClientRequest.of("GET", "/k", "x-user", key.getKey())).response().header("x-node");
            if (!key.getValue().equals("c")) {
                assertEquals(key.getValue(), now, key.getKey() + " moved though its node stayed");
            }
        }
    }

    /** Three requests for each of 20 keys: each key always on one node, the keys over several nodes. */
    private void assertKeysStick(String hashing, java.util.function.Function<String, ClientRequest> request)
            throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "\"type\": \"chash\", " + hashing, f.a, f.b, f.c);
        Set<String> used = new HashSet<>();
        for (int k = 0; k < 20; k++) {
            String key = "key-" + k;
            Set<String> nodes = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                Sent sent = f.send(request.apply(key));
                assertEquals(200, sent.status());
                nodes.add(sent.response().header("x-node"));
            }
            assertEquals(1, nodes.size(), key + " went to " + nodes);
            used.addAll(nodes);
        }
        assertTrue(used.size() >= 2, "20 keys all hashed to " + used);
    }
}
