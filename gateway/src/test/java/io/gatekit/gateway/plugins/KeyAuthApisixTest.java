package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cases of APISIX's {@code t/plugin/key-auth.t} (and {@code key-auth-realm.t}) through the real
 * gateway on loopback sockets, one gateway for the class; each test puts the route it needs.
 *
 * <p>Ported: TEST 1-2 (the consumer schema, through the Admin API), 3-7 (a consumer, a route, a
 * valid key, an unknown one, none), 8 (twenty consumers, the thirteenth's key), 9 (a consumer
 * without {@code key}), 10-13 (a custom header, a custom query argument), 14-25
 * ({@code hide_credentials} on and off, for a header and for a query argument, only the key's own
 * header or argument removed, a key in both places), 33-34 (a key written as an unresolvable
 * {@code $env://} reference is never accepted as the literal text), 26-27 (a key read from an
 * environment variable with {@code $env://}). Added: the challenge with a custom realm
 * (key-auth-realm.t).
 *
 * <p>Not ported: TEST 28-32 ({@code $secret://vault/...}): Gatekit has no secrets resource and
 * no Vault client; such a key is taken out of the consumer's credentials, so it never matches. The {@code no_error_log}/{@code error_log} checks
 * assert log wording; {@link CredentialsNotLoggedTest} checks that keys never reach the log.
 */
class KeyAuthApisixTest {

    private static PluginGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = PluginGateway.start();
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "jack", "plugins": {"key-auth": {"key": "auth-one"}}}"""));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void drain() {
        gw.upstreamReceived.clear();
    }

    private static void ok(PluginGateway.Response response) {
        assertTrue(response.status() == 200 || response.status() == 201, response.status() + " " + response.body());
    }

    /** TEST 2, 9: consumer configs APISIX refuses, with its texts. */
    @Test
    void aConsumerKeyMustBeAString() throws Exception {
        PluginGateway.Response number = gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "error", "plugins": {"key-auth": {"key": 123}}}""");
        PluginGateway.Response missing = gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "error", "plugins": {"key-auth": {}}}""");

        assertEquals(400, number.status());
        assertTrue(number.body().startsWith("{\"error_msg\":\"invalid plugins configuration: failed to check the"
                + " configuration of plugin key-auth err: property \\\"key\\\" validation failed: wrong type:"
                + " expected string, got number\""), number.body());
        assertEquals(400, missing.status());
        assertTrue(missing.body().startsWith("{\"error_msg\":\"invalid plugins configuration: failed to check the"
                + " configuration of plugin key-auth err: property \\\"key\\\" is required\""), missing.body());
    }

    /** TEST 4-7: a valid key passes as its consumer; an unknown or no key gets APISIX's 401. */
    @Test
    void aValidKeyPassesAndAnUnknownOrMissingOneGets401() throws Exception {
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {}}"));

        PluginGateway.Response valid = gw.send("GET", "/hello", "apikey", "auth-one");
        PluginGateway.Response invalid = gw.send("GET", "/hello", "apikey", "123");
        PluginGateway.Response missing = gw.send("GET", "/hello");

        assertEquals(200, valid.status(), valid.body());
        assertEquals("jack", gw.upstreamGot().header("x-consumer-username"));
        assertEquals(401, invalid.status());
        assertEquals("{\"message\":\"Invalid API key in request\"}", invalid.body());
        assertEquals("apikey realm=\"key\"", invalid.header("WWW-Authenticate"));
        assertEquals(401, missing.status());
        assertEquals("{\"message\":\"Missing API key in request\"}", missing.body());
        assertTrue(gw.upstreamReceived.isEmpty());
    }

    /** TEST 8: with twenty more consumers, each key finds its own. */
    @Test
    void eachOfManyConsumersIsFoundByItsKey() throws Exception {
        for (int i = 1; i <= 20; i++) {
            ok(gw.admin("PUT", "/apisix/admin/consumers", """
                    {"username": "user_%d", "plugins": {"key-auth": {"key": "auth-%d"}}}""".formatted(i, i)));
        }
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {}}"));

        assertEquals(200, gw.send("GET", "/hello", "apikey", "auth-13").status());
        assertEquals("user_13", gw.upstreamGot().header("x-consumer-username"));
    }

    /** TEST 10-13: the key is read from a configured header, or from a configured query argument. */
    @Test
    void theHeaderAndTheQueryArgumentCanBeRenamed() throws Exception {
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {\"header\": \"Authorization\"}}"));
        assertEquals(200, gw.send("GET", "/hello", "Authorization", "auth-one").status());
        assertEquals(401, gw.send("GET", "/hello", "apikey", "auth-one").status());

        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {\"query\": \"auth\"}}"));
        assertEquals(200, gw.send("GET", "/hello?auth=auth-one").status());
        assertEquals(401, gw.send("GET", "/hello?apikey=auth-one").status());
    }

    /** TEST 14-19: hide_credentials removes the header that carried the key, and only it. */
    @Test
    void hideCredentialsRemovesOnlyTheKeysHeader() throws Exception {
        gw.putRoute("1", gw.route("/echo", "{\"key-auth\": {\"hide_credentials\": false}}"));
        assertEquals(200, gw.send("GET", "/echo", "apikey", "auth-one").status());
        assertEquals("auth-one", gw.upstreamGot().header("apikey"));

        gw.putRoute("1", gw.route("/echo", "{\"key-auth\": {\"hide_credentials\": true}}"));
        assertEquals(200, gw.send("GET", "/echo", "apikey", "auth-one", "test", "auth-two").status());
        PluginGateway.Received hidden = gw.upstreamGot();
        assertNull(hidden.header("apikey"));
        assertEquals("auth-two", hidden.header("test"));

        // TEST 19: the header wins, so only the header goes; the query argument stays
        assertEquals(200, gw.send("GET", "/echo?apikey=auth-one", "apikey", "auth-one").status());
        PluginGateway.Received both = gw.upstreamGot();
        assertNull(both.header("apikey"));
        assertEquals("/echo?apikey=auth-one", both.uri());
    }

    /** TEST 20-25: with a query argument, hide_credentials removes that argument and only it. */
    @Test
    void hideCredentialsRemovesOnlyTheKeysQueryArgument() throws Exception {
        gw.putRoute("1", gw.route("/echo", "{\"key-auth\": {\"query\": \"auth\", \"hide_credentials\": true}}"));
        assertEquals(200, gw.send("GET", "/echo?auth=auth-one").status());
        assertEquals("/echo", gw.upstreamGot().uri());
        assertEquals(200, gw.send("GET", "/echo?auth=auth-one&test=auth-two").status());
        assertEquals("/echo?test=auth-two", gw.upstreamGot().uri());
        // TEST 23: an "auth" header is not the configured header (apikey), so the key came from the query
        assertEquals(200, gw.send("GET", "/echo?auth=auth-one", "auth", "auth-one").status());
        PluginGateway.Received header = gw.upstreamGot();
        assertEquals("/echo", header.uri());
        assertEquals("auth-one", header.header("auth"));

        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {\"query\": \"auth\", \"hide_credentials\": false}}"));
        assertEquals(200, gw.send("GET", "/hello?auth=auth-one").status());
        assertEquals("/hello?auth=auth-one", gw.upstreamGot().uri());
    }

    /** TEST 33-34: an unresolvable reference is no key: its literal text gets 401 (fail closed). */
    @Test
    void anUnresolvableEnvReferenceIsNeverAcceptedAsTheLiteralKey() throws Exception {
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "envref", "plugins": {"key-auth": {"key": "$env://KEYAUTH_UNRESOLVED_SECRET"}}}"""));
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {}}"));

        PluginGateway.Response r = gw.send("GET", "/hello", "apikey", "$env://KEYAUTH_UNRESOLVED_SECRET");

        assertEquals(401, r.status());
        assertEquals("{\"message\":\"Invalid API key in request\"}", r.body());
    }

    /** TEST 26-27: a key written as {@code $env://NAME} is the value of that environment variable. */
    @Test
    void aKeyCanBeReadFromAnEnvironmentVariable() throws Exception {
        String path = System.getenv("PATH"); // set for every process the build runs
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "envkey", "plugins": {"key-auth": {"key": "$env://PATH"}}}"""));
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {}}"));

        assertEquals(200, gw.send("GET", "/hello", "apikey", path).status());
        assertEquals("envkey", gw.upstreamGot().header("x-consumer-username"));
        assertEquals(401, gw.send("GET", "/hello", "apikey", "$env://PATH").status());
        assertTrue(gw.admin("GET", "/apisix/admin/consumers/envkey", "").body().contains("\"key\":\"******\""));
    }

    /** key-auth-realm.t: the realm of the challenge is configurable. */
    @Test
    void aCustomRealmIsInTheChallenge() throws Exception {
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {\"realm\": \"gatekit\"}}"));

        assertEquals("apikey realm=\"gatekit\"", gw.send("GET", "/hello").header("WWW-Authenticate"));
    }
}
