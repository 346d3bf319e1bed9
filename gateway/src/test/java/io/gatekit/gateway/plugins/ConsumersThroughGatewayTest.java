package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The done criterion of consumers: an APISIX route with {@code key-auth}, {@code limit-count},
 * {@code proxy-rewrite} and {@code proxy-mirror}, and two consumers in one consumer group, through
 * the real gateway on loopback sockets, behaving as APISIX does ({@code apisix/init.lua} access
 * phase and {@code plugin.merge_consumer_route}): the group's {@code limit-count} replaces the
 * route's and is shared by its consumers, a consumer's own replaces the group's, a consumer's
 * config of a plugin the route has does not run its {@code rewrite} again, a consumer's plugin
 * the route lacks does run, and the mirror receives the rewritten copy. Refused requests (401 from
 * {@code key-auth}, 429 from the group's {@code limit-count}) get APISIX's bodies and reach neither
 * the upstream nor the mirror (APISIX stops in {@code rewrite}/{@code access}, before nginx's mirror).
 */
class ConsumersThroughGatewayTest {

    private PluginGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = PluginGateway.start();
        ok(gw.admin("PUT", "/apisix/admin/consumer_groups/company", """
                {"plugins": {"limit-count": {"count": 3, "time_window": 60, "key_type": "constant",
                                             "key": "company", "rejected_code": 503}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "jack", "group_id": "company",
                 "plugins": {"key-auth": {"key": "auth-jack"},
                             "proxy-rewrite": {"uri": "/jack-only"},
                             "response-rewrite": {"headers": {"set": {"X-Consumer-Plugin": "jack"}}}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "rose", "group_id": "company", "plugins": {"key-auth": {"key": "auth-rose"}}}"""));
        gw.putRoute("1", gw.route("/api/*", """
                {"key-auth": {"hide_credentials": true},
                 "limit-count": {"count": 100, "time_window": 60, "rejected_code": 503},
                 "proxy-rewrite": {"regex_uri": ["^/api/(.*)", "/$1"], "headers": {"set": {"X-Rewritten": "yes"}}},
                 "proxy-mirror": {"host": "%s"}}""".formatted(gw.mirrorUrl())));
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private static void ok(PluginGateway.Response response) {
        assertTrue(response.status() == 200 || response.status() == 201, response.status() + " " + response.body());
    }

    @Test
    void aRequestWithoutAKeyOrWithAnUnknownOneGets401WithApisixsMessage() throws Exception {
        PluginGateway.Response missing = gw.send("GET", "/api/hello");
        PluginGateway.Response invalid = gw.send("GET", "/api/hello", "apikey", "nope");
        PluginGateway.Response invalidInQuery = gw.send("GET", "/api/hello?apikey=nope");

        assertEquals(401, missing.status());
        assertEquals("{\"message\":\"Missing API key in request\"}", missing.body().trim());
        assertEquals("apikey realm=\"key\"", missing.header("WWW-Authenticate"));
        assertEquals(401, invalid.status());
        assertEquals("{\"message\":\"Invalid API key in request\"}", invalid.body().trim());
        assertEquals(401, invalidInQuery.status());
        assertTrue(gw.upstreamReceived.isEmpty(), "nothing reached the upstream");
    }

    @Test
    void theUpstreamAndTheMirrorGetTheRouteRewrittenRequestWithTheConsumerAndWithoutTheKey() throws Exception {
        PluginGateway.Response response = gw.send("GET", "/api/hello?a=1", "apikey", "auth-jack");

        assertEquals(200, response.status(), response.body());
        PluginGateway.Received upstream = gw.upstreamGot();
        PluginGateway.Received copy = gw.mirrorGot();
        // jack's proxy-rewrite replaces the route's config, but the route's rewrite already ran:
        // APISIX reruns in rewrite_in_consumer only what the route did not have
        assertEquals("/hello?a=1", upstream.uri());
        assertEquals("/hello?a=1", copy.uri());
        for (PluginGateway.Received got : List.of(upstream, copy)) {
            assertEquals("yes", got.header("x-rewritten"));
            assertEquals("jack", got.header("x-consumer-username"));
            assertNull(got.header("apikey"), "hide_credentials removes the key");
        }
        assertEquals("jack", response.header("X-Consumer-Plugin"), "jack's own plugin runs");

        gw.send("GET", "/api/hello?apikey=auth-rose");
        PluginGateway.Received fromRose = gw.upstreamGot();
        assertEquals("/hello", fromRose.uri(), "the key leaves the query with hide_credentials");
        assertEquals("rose", fromRose.header("x-consumer-username"));
    }

    @Test
    void theGroupsLimitCountReplacesTheRoutesAndIsSharedUntilAConsumerHasItsOwn() throws Exception {
        List<Integer> shared = new ArrayList<>();
        for (String key : List.of("auth-jack", "auth-rose", "auth-jack", "auth-rose", "auth-jack")) {
            shared.add(gw.send("GET", "/api/hello", "apikey", key).status());
        }
        assertEquals(List.of(200, 200, 200, 503, 503), shared, "the group's count of 3, for both together");
        assertEquals(null, gw.send("GET", "/api/hello", "apikey", "auth-rose").header("X-Consumer-Plugin"));

        ok(gw.admin("PUT", "/apisix/admin/consumers/jack", """
                {"username": "jack", "group_id": "company",
                 "plugins": {"key-auth": {"key": "auth-jack"},
                             "limit-count": {"count": 1, "time_window": 60, "rejected_code": 429}}}"""));

        assertEquals(200, gw.send("GET", "/api/hello", "apikey", "auth-jack").status());
        assertEquals(429, gw.send("GET", "/api/hello", "apikey", "auth-jack").status());
        assertEquals(503, gw.send("GET", "/api/hello", "apikey", "auth-rose").status(), "rose keeps the group's");
    }

    @Test
    void refusedRequestsGetApisixsAnswersAndNeitherTheUpstreamNorTheMirrorSeesThem() throws Exception {
        ok(gw.admin("PUT", "/apisix/admin/consumer_groups/company", """
                {"plugins": {"limit-count": {"count": 2, "time_window": 60, "key_type": "constant", "key": "company",
                             "rejected_code": 429, "rejected_msg": "Requests are too frequent, please try again later."}}}"""));

        PluginGateway.Response first = gw.send("GET", "/api/a", "apikey", "auth-rose");
        PluginGateway.Response second = gw.send("GET", "/api/b?apikey=auth-jack");
        PluginGateway.Response limited = gw.send("GET", "/api/c", "apikey", "auth-rose");
        PluginGateway.Response unknown = gw.send("GET", "/api/d", "apikey", "auth-nobody");

        assertEquals(List.of(200, 200, 429, 401),
                List.of(first.status(), second.status(), limited.status(), unknown.status()));
        assertEquals("2", first.header("X-RateLimit-Limit"));
        assertEquals("1", first.header("X-RateLimit-Remaining"), "the group's count, not the route's 100");
        assertEquals("0", second.header("X-RateLimit-Remaining"), "shared by rose and jack");
        assertEquals("{\"error_msg\":\"Requests are too frequent, please try again later.\"}", limited.body());
        assertEquals("{\"message\":\"Invalid API key in request\"}", unknown.body());

        // a new group config counts afresh; its copy arrives after any copy of the refused requests would
        ok(gw.admin("PUT", "/apisix/admin/consumer_groups/company", """
                {"plugins": {"limit-count": {"count": 5, "time_window": 60, "key_type": "constant", "key": "company"}}}"""));
        assertEquals(200, gw.send("GET", "/api/last", "apikey", "auth-rose").status());
        List<String> upstream = new ArrayList<>();
        List<String> mirrored = new ArrayList<>();
        while (!mirrored.contains("/last")) {
            mirrored.add(gw.mirrorGot().uri());
        }
        while (!upstream.contains("/last")) {
            upstream.add(gw.upstreamGot().uri());
        }
        assertEquals(List.of("/a", "/b", "/last"), upstream);
        assertEquals(List.of("/a", "/b", "/last"), mirrored.stream().sorted().toList());
    }

    @Test
    void theAdminApiNeverShowsAKeyInClearText() throws Exception {
        PluginGateway.Response one = gw.admin("GET", "/apisix/admin/consumers/jack", "");
        PluginGateway.Response all = gw.admin("GET", "/apisix/admin/consumers", "");
        PluginGateway.Response explained = gw.admin("GET",
                "/apisix/admin/explain?uri=/api/hello&consumer=jack", "");

        assertEquals(200, one.status(), one.body());
        assertTrue(one.body().contains("\"key\":\"******\""), one.body());
        assertFalse(one.body().contains("auth-jack"), one.body());
        assertFalse(all.body().contains("auth-jack") || all.body().contains("auth-rose"), all.body());
        assertEquals(200, explained.status(), explained.body());
        assertFalse(explained.body().contains("auth-jack"), explained.body());
        assertTrue(explained.body().contains("\"origin\":\"consumer_group\""), explained.body());
        assertEquals(200, gw.send("GET", "/api/hello", "apikey", "auth-jack").status(), "the key still works");
    }
}
