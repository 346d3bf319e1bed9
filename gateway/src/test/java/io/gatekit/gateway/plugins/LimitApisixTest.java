package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cases of APISIX's {@code t/plugin/limit-count.t} and {@code t/plugin/limit-req.t} through the
 * real gateway, on real time; windows are long enough (60 s and more) that no test waits for one.
 * Each method's Javadoc names the APISIX tests it ports ({@code limit-count.t} TEST 24-26 are in
 * ConsumersApisixTest).
 *
 * <p>Not ported: {@code limit-count.t} TEST 1 and {@code limit-req.t} TEST 1 (a sanity check of
 * a valid schema, which every accepted route here repeats); {@code limit-req.t} TEST 2 (it checks
 * the schema of {@code limit-conn}, a plugin Gatekit has not got). {@code limit-count.t} TEST
 * 38 and 40 replace APISIX's DNS parser with a mock mapping {@code test.com} and {@code foo.com} to
 * 127.0.0.1; here the upstream's nodes are named {@code localhost}, which the machine resolves
 * itself.
 */
class LimitApisixTest {

    private PluginGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = PluginGateway.start();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private List<Integer> statuses(String... paths) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (String path : paths) {
            out.add(gw.send("GET", path).status());
        }
        return out;
    }

    private String countRoute(int count, int window, String extra) {
        return """
                {"methods": ["GET"], "uri": "/hello",
                 "plugins": {"limit-count": {"count": %d, "time_window": %d, "key": "remote_addr"%s}},
                 "upstream": {"type": "roundrobin", "nodes": {"%s": 1}}}"""
                .formatted(count, window, extra, gw.upstreamAddress());
    }

    /** limit-count TEST 3-5, 18-20: the request past count is refused; other routes are not counted. */
    @Test
    void limitCountRefusesThePastCountRequestsOfAWindow() throws Exception {
        gw.putRoute("1", countRoute(2, 60, ", \"rejected_code\": 503"));

        assertEquals(List.of(200, 200, 503, 503), statuses("/hello", "/hello", "/hello", "/hello"));
        assertEquals(List.of(404, 503, 404, 503), statuses("/hello1", "/hello", "/hello2", "/hello"));

        gw.putRoute("1", countRoute(2, 60, "").replace("remote_addr", "server_addr"));
        assertEquals(List.of(200, 200, 503, 503), statuses("/hello", "/hello", "/hello", "/hello"));
    }

    /** limit-count: the quota headers, on admitted and refused requests. */
    @Test
    void limitCountSendsTheQuotaHeaders() throws Exception {
        gw.putRoute("1", countRoute(2, 60, ", \"rejected_msg\": \"Requests are too frequent, please try again later.\""));

        PluginGateway.Response first = gw.send("GET", "/hello");
        gw.send("GET", "/hello");
        PluginGateway.Response refused = gw.send("GET", "/hello");

        assertEquals("2", first.header("X-RateLimit-Limit"));
        assertEquals("1", first.header("X-RateLimit-Remaining"));
        assertTrue(first.header("X-RateLimit-Reset").matches("60|59(\\.\\d+)?"), first.header("X-RateLimit-Reset"));
        assertEquals(503, refused.status());
        assertEquals("0", refused.header("X-RateLimit-Remaining"));
        assertEquals("{\"error_msg\":\"Requests are too frequent, please try again later.\"}", refused.body());
    }

    /** limit-count TEST 6-7, 21-23: a changed config counts afresh; the same config again keeps counting. */
    @Test
    void limitCountCountsAfreshOnlyWhenItsConfigChanges() throws Exception {
        gw.putRoute("1", countRoute(2, 83, ""));
        assertEquals(List.of(200, 200, 503), statuses("/hello", "/hello", "/hello"));

        gw.putRoute("1", countRoute(2, 83, ""));
        assertEquals(List.of(503), statuses("/hello"), "the same config keeps its counter");

        gw.putRoute("1", countRoute(3, 83, ""));
        assertEquals(List.of(200, 200, 200, 503), statuses("/hello", "/hello", "/hello", "/hello"));
    }

    /** limit-count TEST 16-17: a route without the plugin is not limited. */
    @Test
    void withoutThePluginNothingIsLimited() throws Exception {
        gw.putRoute("1", countRoute(1, 60, ""));
        assertEquals(List.of(200, 503), statuses("/hello", "/hello"));

        gw.putRoute("1", gw.route("/hello", "{}"));
        assertEquals(List.of(200, 200, 200, 200), statuses("/hello", "/hello", "/hello", "/hello"));
    }

    /** limit-count TEST 8-13, 41-42 and limit-req TEST 21: configs APISIX refuses, with its texts. */
    @Test
    void invalidConfigsAreRefusedWithApisixTexts() throws Exception {
        PluginGateway.Response missingCount = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"limit-count": {"time_window": 60, "rejected_code": 503, "key": "remote_addr"}}"""));
        PluginGateway.Response zeroCount = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"limit-count": {"count": 0, "time_window": 60}}"""));
        PluginGateway.Response zeroWindow = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"limit-count": {"count": 1, "time_window": 0}}"""));
        PluginGateway.Response zeroRate = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"limit-req": {"rate": -1, "burst": 2, "key": "remote_addr"}}"""));

        assertEquals(400, missingCount.status());
        assertTrue(missingCount.body().startsWith("{\"error_msg\":\"failed to check the configuration of plugin"
                + " limit-count err: value should match only one schema, but matches none\""), missingCount.body());
        assertTrue(zeroCount.body().contains("failed to check the configuration of plugin limit-count err: property"
                + " \\\"count\\\" validation failed: value should match only one schema, but matches none"),
                zeroCount.body());
        assertTrue(zeroWindow.body().contains("property \\\"time_window\\\" validation failed: value should match"
                + " only one schema, but matches none"), zeroWindow.body());
        assertTrue(zeroRate.body().contains("failed to check the configuration of plugin limit-req err: property"
                + " \\\"rate\\\" validation failed: expected -1 to be greater than 0"), zeroRate.body());
    }

    /** limit-req TEST 3-6, 11: within the burst requests wait their turn; past it they are refused. */
    @Test
    void limitReqDelaysWithinTheBurstAndRefusesPastIt() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"limit-req": {"rate": 4, "burst": 2, "rejected_code": 503, "key": "remote_addr"}}"""));
        assertEquals(List.of(200, 200, 200, 200), statuses("/hello", "/hello", "/hello", "/hello"));

        gw.putRoute("1", gw.route("/hello", """
                {"limit-req": {"rate": 0.1, "burst": 0.1, "rejected_code": 503, "key": "remote_addr"}}"""));
        assertEquals(List.of(200, 503, 503, 503), statuses("/hello", "/hello", "/hello", "/hello"));
    }

    private void ok(PluginGateway.Response response) {
        assertTrue(response.status() == 200 || response.status() == 201, response.status() + " " + response.body());
    }

    private String upstream(String... nodes) {
        StringBuilder out = new StringBuilder("{\"type\": \"roundrobin\", \"nodes\": {");
        for (int i = 0; i < nodes.length; i++) {
            out.append(i == 0 ? "" : ", ").append('"').append(nodes[i]).append("\": 1");
        }
        return out.append("}}").toString();
    }

    /** limit-count TEST 2, 35-36: {@code key} may be left out; it defaults to the client address. */
    @Test
    void limitCountKeyDefaultsToTheClientAddress() throws Exception {
        gw.putRoute("1", """
                {"methods": ["GET"], "uri": "/hello",
                 "plugins": {"limit-count": {"count": 2, "time_window": 95, "rejected_code": 503}},
                 "upstream": %s}""".formatted(upstream(gw.upstreamAddress())));

        assertEquals(List.of(200, 200, 503, 503), statuses("/hello", "/hello", "/hello", "/hello"));
        assertEquals(200, gw.sendFrom("127.0.1.5", "GET", "/hello").status(), "another client has its own count");
    }

    /** limit-count TEST 14-15: a route whose body has no {@code id}, by PUT and by POST. */
    @Test
    void limitCountOnARouteWithoutIdInItsBody() throws Exception {
        String body = """
                {"uri": "/hello", "plugins": {"limit-count": {"count": 2, "time_window": 61, "rejected_code": 503,
                 "key": "remote_addr"}}, "upstream": %s}""".formatted(upstream(gw.upstreamAddress()));
        ok(gw.admin("PUT", "/apisix/admin/routes/1", body));
        assertEquals(List.of(200, 200, 503, 503), statuses("/hello", "/hello", "/hello", "/hello"));

        ok(gw.admin("POST", "/apisix/admin/routes", body.replace("/hello", "/hello1")));
        assertEquals(List.of(200, 200, 503, 503), statuses("/hello1", "/hello1", "/hello1", "/hello1"));
    }

    /**
     * limit-count TEST 27-34: the plugin on a service limits the routes bound to it; a route's own
     * config applies under a service without the plugin; route and service are deleted after.
     * {@code key: service_id} is one count for every client of the service, checked with a second
     * client address.
     */
    @Test
    void limitCountOnAServiceAndOnARouteOfAService() throws Exception {
        ok(gw.admin("PUT", "/apisix/admin/services/1", """
                {"plugins": {"limit-count": {"count": 2, "time_window": 60, "rejected_code": 503, "key": "service_id"}},
                 "upstream": %s}""".formatted(upstream(gw.upstreamAddress()))));
        gw.putRoute("1", """
                {"methods": ["GET"], "uri": "/hello", "service_id": 1, "upstream": %s}"""
                .formatted(upstream(gw.upstreamAddress())));
        assertEquals(List.of(200, 200), statuses("/hello", "/hello"));
        assertEquals(503, gw.sendFrom("127.0.1.5", "GET", "/hello").status(),
                "key service_id counts every client of the service together");
        assertEquals(List.of(503), statuses("/hello"));

        ok(gw.admin("PUT", "/apisix/admin/services/1", "{}"));
        assertEquals(List.of(200, 200, 200), statuses("/hello", "/hello", "/hello"), "the service's limit is gone");
        gw.putRoute("1", """
                {"methods": ["GET"], "uri": "/hello", "service_id": 1,
                 "plugins": {"limit-count": {"count": 2, "time_window": 91, "rejected_code": 503, "key": "service_id"}},
                 "upstream": %s}""".formatted(upstream(gw.upstreamAddress())));
        assertEquals(List.of(200, 200, 503, 503), statuses("/hello", "/hello", "/hello", "/hello"));

        assertEquals(200, gw.admin("DELETE", "/apisix/admin/routes/1", "").status());
        assertEquals(200, gw.admin("DELETE", "/apisix/admin/services/1", "").status());
        assertEquals(404, gw.send("GET", "/hello").status());
    }

    /** limit-count TEST 37-40: the upstream's nodes are domain names, on a service and on a route. */
    @Test
    void limitCountWhenTheUpstreamIsADomainName() throws Exception {
        String port = gw.upstreamAddress().substring(gw.upstreamAddress().indexOf(':') + 1);
        String domains = upstream("localhost:" + port);
        ok(gw.admin("PUT", "/apisix/admin/services/1", """
                {"plugins": {"limit-count": {"count": 3, "time_window": 60, "rejected_code": 503}}, "upstream": %s}"""
                .formatted(domains)));
        gw.putRoute("1", "{\"methods\": [\"GET\"], \"uri\": \"/hello\", \"service_id\": 1}");
        assertEquals(List.of(200, 200, 200, 503, 503), statuses("/hello", "/hello", "/hello", "/hello", "/hello"));

        gw.putRoute("1", """
                {"methods": ["GET"], "uri": "/hello",
                 "plugins": {"limit-count": {"count": 3, "time_window": 99, "rejected_code": 503}}, "upstream": %s}"""
                .formatted(domains));
        assertEquals(List.of(200, 200, 200, 503, 503), statuses("/hello", "/hello", "/hello", "/hello", "/hello"));
    }

    /** limit-req TEST 7: APISIX's whole answer to a negative rate. */
    @Test
    void limitReqNegativeRateIsRefusedWithApisixsAnswer() throws Exception {
        PluginGateway.Response r = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"limit-req": {"rate": -1, "burst": 0.1, "rejected_code": 503, "key": "remote_addr"}}"""));

        assertEquals(400, r.status());
        assertTrue(r.body().startsWith("{\"error_msg\":\"failed to check the configuration of plugin limit-req err:"
                + " property \\\"rate\\\" validation failed: expected -1 to be greater than 0\""), r.body());
    }

    /** limit-req TEST 5-6, 8-9: after the plugin is removed from the route, nothing is refused. */
    @Test
    void limitReqRemovedLimitsNothing() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"limit-req": {"rate": 0.1, "burst": 0.1, "rejected_code": 503, "key": "remote_addr"}}"""));
        assertEquals(List.of(200, 503), statuses("/hello", "/hello"));

        gw.putRoute("1", gw.route("/hello", "{}"));
        assertEquals(List.of(200, 200, 200, 200), statuses("/hello", "/hello", "/hello", "/hello"));
    }

    /** limit-req TEST 10: {@code key: server_addr} counts every client of one server address together. */
    @Test
    void limitReqKeyServerAddrIsSharedByClients() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"limit-req": {"rate": 4, "burst": 2, "rejected_code": 503, "key": "server_addr"}}"""));
        assertEquals(List.of(200, 200, 200, 200), statuses("/hello", "/hello", "/hello", "/hello"));

        gw.putRoute("1", gw.route("/hello", """
                {"limit-req": {"rate": 0.1, "burst": 0.1, "rejected_code": 503, "key": "server_addr"}}"""));
        assertEquals(200, gw.send("GET", "/hello").status());
        assertEquals(503, gw.sendFrom("127.0.1.5", "GET", "/hello").status(), "another client, the same server_addr");
    }

    /**
     * limit-req TEST 12-20: a consumer's {@code limit-req} with {@code key: consumer_name} on a
     * {@code key-auth} route, within and past the burst, after an update; on a route without
     * authentication the key is empty and the client address counts; consumer and route deleted.
     */
    @Test
    void limitReqBoundToAConsumer() throws Exception {
        String consumer = """
                {"username": "new_consumer", "plugins": {"key-auth": {"key": "auth-jack"},
                 "limit-req": {"rate": %s, "burst": %s, "rejected_code": 403, "key": "consumer_name"}}}""";
        ok(gw.admin("PUT", "/apisix/admin/consumers", consumer.formatted("3", "2")));
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {}}"));
        List<Integer> within = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            within.add(gw.send("GET", "/hello", "apikey", "auth-jack").status());
        }
        assertEquals(List.of(200, 200, 200), within);
        assertEquals(401, gw.send("GET", "/hello").status());

        ok(gw.admin("PUT", "/apisix/admin/consumers", consumer.formatted("0.1", "0.1")));
        List<Integer> past = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            past.add(gw.send("GET", "/hello", "apikey", "auth-jack").status());
        }
        assertEquals(List.of(200, 403, 403, 403), past);

        gw.putRoute("1", gw.route("/hello", """
                {"limit-req": {"rate": 2, "burst": 1, "key": "consumer_name"}}"""));
        PluginGateway.Response anonymous = gw.send("GET", "/hello");
        assertEquals(200, anonymous.status());
        assertTrue(anonymous.body().startsWith("uri: /hello"), anonymous.body());

        assertEquals(200, gw.admin("DELETE", "/apisix/admin/consumers/new_consumer", "").status());
        assertEquals(200, gw.admin("DELETE", "/apisix/admin/routes/1", "").status());
    }
}
