package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cases of APISIX's consumer tests through the real gateway on loopback sockets, one gateway for
 * the class; each test uses its own consumer and group names.
 *
 * <p>Ported:
 * <ul>
 *   <li>{@code t/admin/consumers.t} TEST 1-5 (PUT, GET, DELETE, DELETE of an unknown one), 6
 *       (no {@code username}), 7 ({@code -} in a name), 8-9 ({@code labels}, and a label that is
 *       no string), 10 (POST refused), 12-16 (a key or basic-auth user name another consumer has,
 *       and a consumer keeping its own key);</li>
 *   <li>{@code t/admin/consumer-group.t} TEST 1-5 (PUT, GET, list, PATCH, PATCH of a sub path), 6
 *       (an invalid plugin), 9 (invalid {@code labels}), 10-15 (a group in use cannot be deleted;
 *       a consumer of an unknown group is refused);</li>
 *   <li>{@code t/node/consumer-group.t} TEST 1 (the group's plugin runs, and a PATCH of the group
 *       applies to the next request), 3 (the consumer's config of a plugin replaces its group's),
 *       4 ({@code consumer_group_id} as a variable: APISIX reads it in serverless code; here
 *       {@code proxy-rewrite} puts it in a header);</li>
 *   <li>{@code t/node/consumer-plugin.t} TEST 1-6 (a consumer's {@code limit-count}, and the new
 *       count after the consumer is updated);</li>
 *   <li>{@code t/plugin/limit-count.t} TEST 24-26 ({@code key: consumer_name}).</li>
 * </ul>
 *
 * <p>Not ported: {@code consumers.t} TEST 2-3's {@code create_time}/{@code update_time} checks
 * read etcd directly; TEST 11 ({@code the property is forbidden: create_time}): Gatekit's Admin API
 * ignores {@code create_time}/{@code update_time} in a body in favour of its own for every resource
 * (AdminResourcesTest), a decision outside consumers; TEST 17-18 ({@code data_encryption}):
 * {@code encrypt_fields} is a later step; TEST 19-22 ({@code ldap-auth}, {@code ldap-auth-advanced}):
 * no such plugins. {@code consumer-group.t} TEST 7-8 ({@code desc}, {@code labels} on a group) are
 * covered by the labels case. {@code t/node/consumer-group.t} TEST 2 (malformed data sent to etcd
 * directly) belongs to the etcd source's tests. {@code consumer-plugin.t} TEST 7-10 (hmac-auth),
 * {@code consumer-plugin2.t} (ip-restriction and serverless on consumers; the debug trace header)
 * and {@code consumer-plugin3.t} (csrf, data encryption): plugins or features Gatekit has not got;
 * rewrite_in_consumer itself is covered by ConsumersThroughGatewayTest. {@code consumer-credentials.t},
 * {@code credential-plugin-*.t} and the {@code *-anonymous-consumer.t} files: Gatekit has no
 * credentials resource and no anonymous consumer yet ({@code anonymous_consumer} is refused).
 */
class ConsumersApisixTest {

    private static PluginGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = PluginGateway.start();
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

    private static void refused(int status, String errorMsg, PluginGateway.Response response) {
        assertEquals(status, response.status(), response.body());
        assertTrue(response.body().startsWith("{\"error_msg\":\"" + errorMsg.replace("\"", "\\\"") + "\""),
                response.body());
    }

    /** consumers.t TEST 1-5, 7-8: PUT, GET, DELETE as APISIX; labels kept; '-' allowed in a name. */
    @Test
    void consumersArePutReadAndDeletedAsOnApisix() throws Exception {
        PluginGateway.Response put = gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "jack1", "desc": "new consumer", "labels": {"build": "16", "env": "production"}}""");
        ok(put);
        assertTrue(put.body().contains("\"key\":\"/apisix/consumers/jack1\""), put.body());
        PluginGateway.Response got = gw.admin("GET", "/apisix/admin/consumers/jack1", "");
        assertEquals(200, got.status());
        assertTrue(got.body().contains("\"desc\":\"new consumer\""), got.body());
        assertTrue(got.body().contains("\"env\":\"production\""), got.body());
        assertEquals(201, gw.admin("PUT", "/apisix/admin/consumers", "{\"username\": \"Jack-and-Rose_123\"}").status());

        assertEquals(200, gw.admin("DELETE", "/apisix/admin/consumers/jack1", "").status());
        assertEquals(404, gw.admin("GET", "/apisix/admin/consumers/jack1", "").status());
        assertEquals(404, gw.admin("DELETE", "/apisix/admin/consumers/not_found", "").status());
    }

    /** consumers.t TEST 6, 9-10: APISIX's texts for a missing username, a bad label, a POST. */
    @Test
    void badConsumersAreRefusedWithApisixsTexts() throws Exception {
        refused(400, "invalid configuration: property \"username\" is required",
                gw.admin("PUT", "/apisix/admin/consumers", "{\"id\": \"jack\"}"));
        refused(400, "invalid configuration: property \"labels\" validation failed: failed to validate env"
                + " (matching \".*\"): wrong type: expected string, got table", gw.admin("PUT",
                "/apisix/admin/consumers", """
                {"username": "jack", "desc": "new consumer", "labels": {"env": ["production", "release"]}}"""));
        refused(405, "not supported `POST` method for consumer", gw.admin("POST", "/apisix/admin/consumers", ""));
    }

    /** consumers.t TEST 12-16: a credential another consumer has is refused, naming that consumer. */
    @Test
    void aCredentialAnotherConsumerHasIsRefused() throws Exception {
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "case_a", "plugins": {"key-auth": {"key": "duplicate-check-key-1"}}}"""));
        refused(400, "duplicate key of plugin key-auth found with consumer: case_a", gw.admin("PUT",
                "/apisix/admin/consumers", """
                {"username": "case_b", "plugins": {"key-auth": {"key": "duplicate-check-key-1"}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "case_b", "plugins": {"key-auth": {"key": "duplicate-check-key-2"}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "case_a", "desc": "updated description",
                 "plugins": {"key-auth": {"key": "duplicate-check-key-1"}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "case_c", "plugins": {"basic-auth": {"username": "case-user", "password": "p1"}}}"""));
        refused(400, "duplicate username of plugin basic-auth found with consumer: case_c", gw.admin("PUT",
                "/apisix/admin/consumers", """
                {"username": "case_d", "plugins": {"basic-auth": {"username": "case-user", "password": "p2"}}}"""));
        // the earlier consumer is named even when the later one's name sorts first
        refused(400, "duplicate key of plugin key-auth found with consumer: case_b", gw.admin("PUT",
                "/apisix/admin/consumers", """
                {"username": "aaa", "plugins": {"key-auth": {"key": "duplicate-check-key-2"}}}"""));
    }

    /** consumer-group.t TEST 1-5: PUT, GET, list, PATCH, PATCH of a sub path. */
    @Test
    void consumerGroupsArePutReadAndPatched() throws Exception {
        ok(gw.admin("PUT", "/apisix/admin/consumer_groups/company_x", """
                {"plugins": {"limit-count": {"count": 2, "time_window": 60, "rejected_code": 503,
                                             "key": "remote_addr"}}}"""));
        PluginGateway.Response got = gw.admin("GET", "/apisix/admin/consumer_groups/company_x", "");
        assertTrue(got.body().contains("\"key\":\"/apisix/consumer_groups/company_x\""), got.body());
        assertTrue(gw.admin("GET", "/apisix/admin/consumer_groups", "").body().contains("company_x"));

        ok(gw.admin("PATCH", "/apisix/admin/consumer_groups/company_x", """
                {"plugins": {"limit-count": {"count": 3, "time_window": 60, "rejected_code": 503,
                                             "key": "remote_addr"}}}"""));
        assertTrue(gw.admin("GET", "/apisix/admin/consumer_groups/company_x", "").body().contains("\"count\":3"));
        ok(gw.admin("PATCH", "/apisix/admin/consumer_groups/company_x/plugins", """
                {"limit-count": {"count": 4, "time_window": 60, "rejected_code": 503, "key": "remote_addr"}}"""));
        assertTrue(gw.admin("GET", "/apisix/admin/consumer_groups/company_x", "").body().contains("\"count\":4"));
    }

    /** consumer-group.t TEST 6, 9-15: invalid groups, a group in use, an unknown group. */
    @Test
    void badGroupsAndGroupsInUseAreRefusedWithApisixsTexts() throws Exception {
        refused(400, "failed to check the configuration of plugin limit-count err: value should match only one"
                + " schema, but matches none", gw.admin("PUT", "/apisix/admin/consumer_groups/company_a", """
                {"plugins": {"limit-count": {"rejected_code": 503, "time_window": 60, "key": "remote_addr"}}}"""));
        refused(400, "invalid configuration: property \"labels\" validation failed: wrong type: expected object,"
                + " got string", gw.admin("PUT", "/apisix/admin/consumer_groups/company_a", """
                {"labels": "a", "plugins": {}}"""));

        ok(gw.admin("PUT", "/apisix/admin/consumer_groups/company_a", """
                {"plugins": {"limit-count": {"count": 2, "time_window": 60, "rejected_code": 503,
                                             "key": "remote_addr"}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers/foobar", """
                {"username": "foobar", "plugins": {"key-auth": {"key": "auth-two"}}, "group_id": "company_a"}"""));
        refused(400, "can not delete this consumer group, consumer [foobar] is still using it now",
                gw.admin("DELETE", "/apisix/admin/consumer_groups/company_a", ""));
        ok(gw.admin("DELETE", "/apisix/admin/consumers/foobar", ""));
        ok(gw.admin("DELETE", "/apisix/admin/consumer_groups/company_a", ""));

        PluginGateway.Response invalid = gw.admin("PUT", "/apisix/admin/consumers/foobar", """
                {"username": "foobar", "plugins": {"key-auth": {"key": "auth-two"}}, "group_id": "invalid_group"}""");
        assertTrue(invalid.status() >= 300, invalid.body());
        assertTrue(invalid.body().contains("failed to fetch consumer group info by consumer group id"), invalid.body());
    }

    /** node/consumer-group.t TEST 1, 3: the group's plugin runs, follows a PATCH, yields to the consumer's. */
    @Test
    void theGroupsPluginRunsFollowsAPatchAndYieldsToTheConsumers() throws Exception {
        ok(gw.admin("PUT", "/apisix/admin/consumer_groups/bar", """
                {"plugins": {"response-rewrite": {"body": "hello"}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "foo", "group_id": "bar",
                 "plugins": {"basic-auth": {"username": "foo", "password": "bar"}}}"""));
        gw.putRoute("1", gw.route("/hello", "{\"basic-auth\": {}}"));

        assertEquals("hello", gw.send("GET", "/hello", "Authorization", "Basic Zm9vOmJhcg==").body());
        ok(gw.admin("PATCH", "/apisix/admin/consumer_groups/bar", """
                {"plugins": {"response-rewrite": {"body": "world"}}}"""));
        assertEquals("world", gw.send("GET", "/hello", "Authorization", "Basic Zm9vOmJhcg==").body());

        ok(gw.admin("PUT", "/apisix/admin/consumer_groups/bar", """
                {"plugins": {"response-rewrite": {"body": "hello"}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "foo", "group_id": "bar",
                 "plugins": {"basic-auth": {"username": "foo", "password": "bar"},
                             "response-rewrite": {"body": "world"}}}"""));
        assertEquals("world", gw.send("GET", "/hello", "Authorization", "Basic Zm9vOmJhcg==").body());
    }

    /** node/consumer-group.t TEST 4: consumer_group_id is a variable once the consumer is attached. */
    @Test
    void consumerGroupIdIsAVariable() throws Exception {
        ok(gw.admin("PUT", "/apisix/admin/consumer_groups/bar2", """
                {"plugins": {"proxy-rewrite": {"headers": {"set": {"X-Group": "$consumer_group_id"}}}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "foo2", "group_id": "bar2",
                 "plugins": {"basic-auth": {"username": "foo2", "password": "bar"}}}"""));
        gw.putRoute("1", gw.route("/hello", "{\"basic-auth\": {}}"));

        assertEquals(200, gw.send("GET", "/hello", "Authorization", "Basic Zm9vMjpiYXI=").status());
        PluginGateway.Received got = gw.upstreamGot();
        assertEquals("bar2", got.header("x-group"));
        assertEquals("foo2", got.header("x-consumer-username"));
    }

    /** node/consumer-plugin.t TEST 1-6: the consumer's limit-count, and its new count after an update. */
    @Test
    void aConsumersLimitCountAppliesAndItsUpdateCountsAfresh() throws Exception {
        String consumer = """
                {"username": "jack2", "plugins": {
                   "limit-count": {"count": %d, "time_window": 60, "rejected_code": 503, "key": "remote_addr"},
                   "key-auth": {"key": "auth-one-2"}}}""";
        ok(gw.admin("PUT", "/apisix/admin/consumers", consumer.formatted(2)));
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {}}"));

        assertEquals(401, gw.send("GET", "/hello", "apikey", "123").status());
        assertEquals(List.of(200, 200, 503, 503, 503), statuses(5, "auth-one-2"));
        ok(gw.admin("PUT", "/apisix/admin/consumers", consumer.formatted(4)));
        assertEquals(List.of(200, 200, 200, 200, 503), statuses(5, "auth-one-2"));
    }

    /** limit-count.t TEST 24-26: key consumer_name counts per consumer. */
    @Test
    void limitCountKeyedByConsumerName() throws Exception {
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "consumer_jack", "plugins": {"key-auth": {"key": "auth-jack-lc"}}}"""));
        ok(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "consumer_rose", "plugins": {"key-auth": {"key": "auth-rose-lc"}}}"""));
        gw.putRoute("1", gw.route("/hello", """
                {"key-auth": {}, "limit-count": {"count": 2, "time_window": 60, "rejected_code": 503,
                                                 "key": "consumer_name"}}"""));

        assertEquals(List.of(200, 200, 503, 503), statuses(4, "auth-jack-lc"));
        assertEquals(List.of(200, 200, 503), statuses(3, "auth-rose-lc"), "rose has her own count");
    }

    private static List<Integer> statuses(int n, String key) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(gw.send("GET", "/hello", "apikey", key).status());
        }
        return out;
    }
}
