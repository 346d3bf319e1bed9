package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cases of APISIX's {@code t/plugin/ip-restriction.t} and {@code t/plugin/request-id.t} through
 * the real gateway. APISIX's tests make a client look remote with {@code real_ip_header}; here the
 * client really connects from another loopback address ({@code 127.0.1.5}, outside
 * {@code 127.0.0.0/24}).
 */
class IpAndRequestIdApisixTest {

    private static final String OUTSIDE = "127.0.1.5";
    private PluginGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = PluginGateway.start();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    /** ip-restriction TEST 7-10, 29-30, 33-34: a whitelist, its message and its status. */
    @Test
    void aWhitelistLetsItsClientsInAndRefusesOthers() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"ip-restriction": {"whitelist": ["127.0.0.0/24", "113.74.26.106"]}}"""));
        gw.putRoute("2", gw.route("/msg", """
                {"ip-restriction": {"whitelist": ["127.0.0.0/24", "113.74.26.106"],
                                    "message": "Do you want to do something bad?"}}"""));
        gw.putRoute("3", gw.route("/not-found", """
                {"ip-restriction": {"whitelist": ["127.0.0.0/24", "113.74.26.106"], "response_code": 404}}"""));

        assertEquals(200, gw.send("GET", "/hello").status());
        PluginGateway.Response refused = gw.sendFrom(OUTSIDE, "GET", "/hello");
        assertEquals(403, refused.status());
        assertEquals("{\"message\":\"Your IP address is not allowed\"}", refused.body());
        assertEquals("{\"message\":\"Do you want to do something bad?\"}", gw.sendFrom(OUTSIDE, "GET", "/msg").body());
        assertEquals(404, gw.sendFrom(OUTSIDE, "GET", "/not-found").status());
    }

    /** ip-restriction TEST 12-15, 26-28: a blacklist. */
    @Test
    void aBlacklistKeepsItsClientsOut() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"ip-restriction": {"blacklist": ["127.0.0.0/24", "113.74.26.106"],
                                    "message": "Do you want to do something bad?"}}"""));

        PluginGateway.Response refused = gw.send("GET", "/hello");
        assertEquals(403, refused.status());
        assertEquals("{\"message\":\"Do you want to do something bad?\"}", refused.body());
        assertEquals(200, gw.sendFrom(OUTSIDE, "GET", "/hello").status());
    }

    /** ip-restriction TEST 2-6, 24, 31-32, 35: configs APISIX refuses. */
    @Test
    void invalidRestrictionsAreRefused() throws Exception {
        for (String bad : new String[] {
                "{\"whitelist\": [\"10.10.10.0/33\"]}", "{\"whitelist\": [\"10.10.10.300\"]}", "{}",
                "{\"whitelist\": []}", "{\"whitelist\": [\"127.0.0.1\"], \"blacklist\": [\"10.0.0.1\"]}",
                "{\"whitelist\": [\"::ffff:192.0.2.1/129\"]}", "{\"whitelist\": [\"127.0.0.1\"], \"message\": \"\"}",
                "{\"whitelist\": [\"127.0.0.1\"], \"message\": \"" + "a".repeat(1025) + "\"}",
                "{\"whitelist\": [\"127.0.0.1\"], \"response_code\": 402}"}) {
            PluginGateway.Response r = gw.admin("PUT", "/apisix/admin/routes/1",
                    gw.route("/hello", "{\"ip-restriction\": " + bad + "}"));
            assertEquals(400, r.status(), bad);
            assertTrue(r.body().contains("failed to check the configuration of plugin ip-restriction err: "), r.body());
        }
    }

    /** request-id TEST 3-5: an id to the upstream and back, a new one each request. */
    @Test
    void eachRequestGetsItsOwnIdBothWays() throws Exception {
        gw.putRoute("1", gw.route("/opentracing", "{\"request-id\": {}}"));

        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            PluginGateway.Response r = gw.send("GET", "/opentracing");
            String id = r.header("X-Request-Id");
            assertEquals(id, gw.upstreamGot().header("x-request-id"));
            ids.add(id);
        }
        assertEquals(20, ids.size());
    }

    /** request-id TEST 6-9, 13-16: a custom header, include_in_response false, the client's own id kept. */
    @Test
    void headerNameIncludeInResponseAndTheClientsId() throws Exception {
        gw.putRoute("1", gw.route("/custom", "{\"request-id\": {\"header_name\": \"Custom-Header-Name\"}}"));
        gw.putRoute("2", gw.route("/hidden", "{\"request-id\": {\"include_in_response\": false}}"));
        gw.putRoute("3", gw.route("/nano", "{\"request-id\": {\"algorithm\": \"nanoid\"}}"));

        assertTrue(gw.send("GET", "/custom").header("Custom-Header-Name") != null);
        gw.upstreamGot();
        assertNull(gw.send("GET", "/hidden").header("X-Request-Id"));
        assertTrue(gw.upstreamGot().header("x-request-id") != null, "the upstream still gets one");
        assertEquals("123", gw.send("GET", "/custom", "Custom-Header-Name", "123").header("Custom-Header-Name"));
        gw.upstreamGot();
        String nano = gw.send("GET", "/nano", "X-Request-Id", "").header("X-Request-Id");
        assertTrue(nano.matches("[A-Za-z0-9_-]{21}"), nano);
    }

    /** request-id TEST 10-11: a global rule's id and a route's, under different names, differ. */
    @Test
    void aGlobalRulesIdAndARoutesDiffer() throws Exception {
        PluginGateway.Response rule = gw.admin("PUT", "/apisix/admin/global_rules/1",
                "{\"plugins\": {\"request-id\": {\"header_name\": \"Custom-Header-Name\"}}}");
        assertTrue(rule.status() < 300, rule.body());
        gw.putRoute("1", gw.route("/opentracing", "{\"request-id\": {}}"));

        PluginGateway.Response r = gw.send("GET", "/opentracing");

        assertTrue(r.header("Custom-Header-Name") != null && r.header("X-Request-Id") != null);
        assertNotEquals(r.header("Custom-Header-Name"), r.header("X-Request-Id"));
    }

    /** request-id TEST 2, 12, 18: bad types and algorithms are refused. */
    @Test
    void invalidRequestIdConfigsAreRefused() throws Exception {
        for (String bad : new String[] {"{\"include_in_response\": \"bad_type\"}", "{\"algorithm\": \"bad_algorithm\"}"}) {
            PluginGateway.Response r = gw.admin("PUT", "/apisix/admin/routes/1",
                    gw.route("/hello", "{\"request-id\": " + bad + "}"));
            assertEquals(400, r.status(), bad);
        }
    }
}
