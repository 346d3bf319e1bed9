package io.gatekit.plugins.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.testkit.ManualClock;
import io.gatekit.testkit.PendingRun;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class LimitReqTest {

    private static HttpRequest from(String ip) {
        return HttpRequest.builder().uri("/").header("Host", "example.com")
                .remoteAddress(new InetSocketAddress(ip, 40000)).build();
    }

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new LimitReqFactory())
                .accepts("""
                        {"rate": 1000, "burst": 0, "key": "remote_addr", "nodelay": true}""",
                        """
                        {"rate": 0.5, "burst": 2.5, "key": "$remote_addr $http_x", "key_type": "var_combination",
                         "rejected_code": 429, "rejected_msg": "slow down", "allow_degradation": true}""")
                .rejects("""
                        {"rate": 0, "burst": 1, "key": "remote_addr"}""", "/rate")
                .rejects("""
                        {"rate": 1, "burst": -1, "key": "remote_addr"}""", "/burst")
                .rejects("""
                        {"rate": 1, "burst": 1}""")
                .rejects("""
                        {"rate": 1, "burst": 1, "key": "remote_addr", "key_type": "constant"}""", "/key_type")
                .discoverable()
                .tests();
    }

    @Test
    void requestsOverTheRateWaitTheirTurnWithoutHoldingAThread() {
        try (PluginHarness harness = PluginHarness.of(new LimitReqFactory())) {
            harness.route("""
                    {"limit-req": {"rate": 1, "burst": 1, "key": "remote_addr"}}""");

            RunResult first = harness.request(from("10.0.0.1"));
            PendingRun second = harness.send(from("10.0.0.1"));
            assertFalse(second.isDone(), "the second request within a second waits for its turn");
            harness.clock().advance(Duration.ofMillis(999));
            assertFalse(second.isDone());
            harness.clock().advance(Duration.ofMillis(1));
            RunResult waited = second.await();

            assertEquals(200, first.response().status());
            assertEquals(200, waited.response().status());
            assertEquals(200, harness.request(from("10.0.0.2")).response().status(), "another key has its own bucket");
        }
    }

    @Test
    void nodelayLetsTheBurstThroughAtOnce() {
        try (PluginHarness harness = PluginHarness.of(new LimitReqFactory())) {
            harness.route("""
                    {"limit-req": {"rate": 1, "burst": 2, "key": "remote_addr", "nodelay": true,
                                   "rejected_code": 429, "rejected_msg": "slow down"}}""");

            assertEquals(200, harness.request(from("10.0.0.1")).response().status());
            assertEquals(200, harness.request(from("10.0.0.1")).response().status());
            assertEquals(200, harness.request(from("10.0.0.1")).response().status());
            RunResult refused = harness.request(from("10.0.0.1"));
            assertEquals(429, refused.response().status());
            assertEquals("{\"error_msg\":\"slow down\"}", refused.bodyText());
            harness.clock().advance(Duration.ofSeconds(1));
            assertEquals(200, harness.request(from("10.0.0.1")).response().status(), "one request drained a second later");
        }
    }

    @Test
    void aBucketDrainsAtTheRate() {
        try (PluginHarness harness = PluginHarness.of(new LimitReqFactory())) {
            harness.route("""
                    {"limit-req": {"rate": 10, "burst": 0, "key": "remote_addr"}}""");

            for (int i = 0; i < 5; i++) {
                assertEquals(200, harness.request(from("10.0.0.1")).response().status(), "request " + i);
                assertEquals(503, harness.request(from("10.0.0.1")).response().status(), "request " + i + " again");
                harness.clock().advance(Duration.ofMillis(100));
            }
        }
    }

    @Test
    void bucketsThatDrainedAreDropped() {
        ManualClock clock = new ManualClock();
        LimitReqPlugin plugin = (LimitReqPlugin) new LimitReqFactory().create(new LimitReqFactory.Config(
                10, 5, "remote_addr", "var", "local", 503, null, true, false), Fakes.context(clock));
        for (int i = 0; i < 50; i++) {
            assertEquals(Outcome.proceed(), plugin.access(Fakes.exchange("10.1.0." + i)));
        }
        assertEquals(50, plugin.keys());

        clock.advance(Duration.ofSeconds(1));
        plugin.access(Fakes.exchange("10.2.0.1"));

        assertEquals(1, plugin.keys());
    }

    @Test
    void theRedisPoliciesAreRefusedWithTheReason() {
        try (PluginHarness harness = PluginHarness.of(new LimitReqFactory())) {
            ConfigException redis = assertThrows(ConfigException.class, () -> harness.route("""
                    {"limit-req": {"rate": 1, "burst": 1, "key": "remote_addr", "policy": "redis-cluster"}}"""));

            assertTrue(redis.errorMsg().contains("policy: \"redis-cluster\" (expected: local;"), redis.errorMsg());
        }
    }
}
