package io.gatekit.plugins.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ResourceKind;
import io.gatekit.testkit.ManualClock;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class LimitCountTest {

    private static HttpRequest from(String ip, String... headers) {
        HttpRequest.Builder b = HttpRequest.builder().uri("/").header("Host", "example.com")
                .remoteAddress(new InetSocketAddress(ip, 40000));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new LimitCountFactory())
                .accepts("""
                        {"count": 2, "time_window": 60, "rejected_code": 429, "rejected_msg": "slow down"}""",
                        """
                        {"count": 1, "time_window": 1, "key_type": "var_combination", "key": "$remote_addr $http_x"}""")
                .rejects("""
                        {"count": 0, "time_window": 60}""")
                .rejects("""
                        {"count": 1, "time_window": 60, "rejected_code": 600}""", "/rejected_code")
                .rejects("""
                        {"count": 1, "time_window": 60, "key_type": "header"}""", "/key_type")
                .rejects("""
                        {"time_window": 60}""")
                .discoverable()
                .tests();
    }

    @Test
    void theRequestPastCountInAWindowIsRefusedUntilTheWindowEnds() {
        try (PluginHarness harness = PluginHarness.of(new LimitCountFactory())) {
            harness.route("""
                    {"limit-count": {"count": 2, "time_window": 60, "rejected_code": 429, "rejected_msg": "slow down"}}""");

            RunResult first = harness.request(from("10.0.0.1"));
            harness.clock().advance(Duration.ofMillis(1500));
            RunResult second = harness.request(from("10.0.0.1"));
            RunResult third = harness.request(from("10.0.0.1"));
            RunResult otherClient = harness.request(from("10.0.0.2"));
            harness.clock().advance(Duration.ofMillis(58_500));
            RunResult nextWindow = harness.request(from("10.0.0.1"));

            assertEquals(200, first.response().status());
            assertEquals("2", first.response().headers().get("X-RateLimit-Limit"));
            assertEquals("1", first.response().headers().get("X-RateLimit-Remaining"));
            assertEquals("60", first.response().headers().get("X-RateLimit-Reset"));
            assertEquals("0", second.response().headers().get("X-RateLimit-Remaining"));
            assertEquals("58.5", second.response().headers().get("X-RateLimit-Reset"));
            assertEquals(429, third.response().status());
            assertEquals("limit-count", third.shortCircuitedBy());
            assertEquals("{\"error_msg\":\"slow down\"}", third.bodyText());
            assertEquals("0", third.response().headers().get("X-RateLimit-Remaining"));
            assertEquals("58.5", third.response().headers().get("X-RateLimit-Reset"));
            assertEquals(200, otherClient.response().status());
            assertEquals(200, nextWindow.response().status());
            assertEquals("1", nextWindow.response().headers().get("X-RateLimit-Remaining"));
        }
    }

    @Test
    void withoutRejectedMsgARefusalHasNoBodyAndQuotaHeadersCanBeOff() {
        try (PluginHarness harness = PluginHarness.of(new LimitCountFactory())) {
            harness.route("""
                    {"limit-count": {"count": 1, "time_window": 10, "show_limit_quota_header": false}}""");

            RunResult ok = harness.request(from("10.0.0.1"));
            RunResult refused = harness.request(from("10.0.0.1"));

            assertNull(ok.response().headers().get("X-RateLimit-Limit"));
            assertEquals(503, refused.response().status());
            assertEquals("", refused.bodyText());
            assertNull(refused.response().headers().get("X-RateLimit-Remaining"));
        }
    }

    @Test
    void keysCountPerVariableCombinationOrConstantAndAnUnsetKeyFallsBackToTheClientAddress() {
        try (PluginHarness harness = PluginHarness.of(new LimitCountFactory())) {
            harness.route("""
                    {"limit-count": {"count": 1, "time_window": 10, "key_type": "var", "key": "http_x_user"}}""");
            assertEquals(200, harness.request(from("10.0.0.1", "X-User", "a")).response().status());
            assertEquals(200, harness.request(from("10.0.0.1", "X-User", "b")).response().status());
            assertEquals(503, harness.request(from("10.0.0.9", "X-User", "a")).response().status());
            assertEquals(200, harness.request(from("10.0.0.1")).response().status());
            assertEquals(503, harness.request(from("10.0.0.1")).response().status());

            harness.route("""
                    {"limit-count": {"count": 1, "time_window": 10, "key_type": "var_combination",
                                     "key": "$http_x_a:$http_x_b"}}""");
            assertEquals(200, harness.request(from("10.0.0.1", "X-A", "1", "X-B", "2")).response().status());
            assertEquals(503, harness.request(from("10.0.0.2", "X-A", "1", "X-B", "2")).response().status());
            assertEquals(200, harness.request(from("10.0.0.2", "X-A", "1")).response().status());

            harness.route("""
                    {"limit-count": {"count": 1, "time_window": 10, "key_type": "constant", "key": "all"}}""");
            assertEquals(200, harness.request(from("10.0.0.1")).response().status());
            assertEquals(503, harness.request(from("10.0.0.2")).response().status());
        }
    }

    @Test
    void pluginMetadataRenamesTheQuotaHeaders() {
        try (PluginHarness harness = PluginHarness.of(new LimitCountFactory())) {
            harness.engine().put(ResourceKind.PLUGIN_METADATA, "limit-count", """
                    {"limit_header": "X-Limit", "remaining_header": "X-Left", "reset_header": "X-Reset"}""");
            harness.route("""
                    {"limit-count": {"count": 3, "time_window": 5}}""");

            RunResult result = harness.request(from("10.0.0.1"));

            assertEquals("3", result.response().headers().get("X-Limit"));
            assertEquals("2", result.response().headers().get("X-Left"));
            assertEquals("5", result.response().headers().get("X-Reset"));
            assertFalse(result.response().headers().contains("X-RateLimit-Limit"));
        }
    }

    @Test
    void countersOfEndedWindowsAreDropped() {
        ManualClock clock = new ManualClock();
        LimitCountPlugin plugin = (LimitCountPlugin) new LimitCountFactory().create(
                new LimitCountFactory.Config(1, 1, "fixed", null, null, "remote_addr", "var", 503, null, "local",
                        false, false, -1), Fakes.context(clock));
        for (int i = 0; i < 100; i++) {
            plugin.access(Fakes.exchange("10.1.0." + i));
        }
        assertEquals(100, plugin.keys());

        clock.advance(Duration.ofSeconds(2));
        plugin.access(Fakes.exchange("10.2.0.1"));

        assertEquals(1, plugin.keys());
    }

    @Test
    void whatIsNotSupportedYetIsRefusedWithTheReason() {
        try (PluginHarness harness = PluginHarness.of(new LimitCountFactory())) {
            assertRefused(harness, """
                    {"count": 1, "time_window": 1, "policy": "redis", "redis_host": "127.0.0.1"}""",
                    "policy: \"redis\" (expected: local;");
            assertRefused(harness, """
                    {"count": 1, "time_window": 1, "window_type": "sliding"}""", "window_type: \"sliding\"");
            assertRefused(harness, """
                    {"rules": [{"count": 1, "time_window": 1, "key": "$remote_addr"}]}""", "rules: 1 rules");
            assertRefused(harness, """
                    {"count": 1, "time_window": 1, "group": "g"}""", "group: \"g\"");
            assertRefused(harness, """
                    {"count": "$http_count", "time_window": 1}""", "count: \"$http_count\"");
            assertRefused(harness, """
                    {"count": 1, "time_window": 1, "rules": [{"count": 1, "time_window": 1, "key": "k"}]}""",
                    "count/time_window and rules cannot be specified at the same time");
        }
    }

    private static void assertRefused(PluginHarness harness, String config, String reason) {
        ConfigException e = assertThrows(ConfigException.class, () -> harness.route("{\"limit-count\": " + config + "}"));
        assertTrue(e.errorMsg().startsWith("failed to check the configuration of plugin limit-count err: "), e.errorMsg());
        assertTrue(e.errorMsg().contains(reason), e.errorMsg());
    }

    @Test
    void theResetIsWrittenAsLuaPrintsSecondsCutToHundredths() {
        assertEquals("60", LimitCountPlugin.seconds(60_000));
        assertEquals("58.5", LimitCountPlugin.seconds(58_500));
        assertEquals("58.05", LimitCountPlugin.seconds(58_059));
        assertEquals("0.99", LimitCountPlugin.seconds(999));
        assertEquals("0", LimitCountPlugin.seconds(9));
    }
}
