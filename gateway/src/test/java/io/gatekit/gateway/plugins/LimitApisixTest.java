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
}
