package io.gatekit.plugins.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.net.InetSocketAddress;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class IpRestrictionTest {

    private static RunResult from(PluginHarness harness, String ip) {
        return harness.request(HttpRequest.builder().uri("/").header("Host", "example.com")
                .remoteAddress(new InetSocketAddress(ip, 40000)).build());
    }

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new IpRestrictionFactory())
                .accepts("""
                        {"whitelist": ["127.0.0.1", "10.0.0.0/8", "::1", "fe80::/10"]}""",
                        """
                        {"blacklist": ["192.168.1.0/24"], "message": "go away", "response_code": 404}""")
                .rejects("{}")
                .rejects("""
                        {"whitelist": ["127.0.0.1"], "blacklist": ["10.0.0.1"]}""")
                .rejects("""
                        {"whitelist": ["not an ip"]}""", "/whitelist/0")
                .rejects("""
                        {"whitelist": []}""", "/whitelist")
                .rejects("""
                        {"blacklist": ["10.0.0.1"], "response_code": 401}""", "/response_code")
                .discoverable()
                .tests();
    }

    @Test
    void aWhitelistLetsOnlyItsAddressesAndBlocksInIpv4AndIpv6() {
        try (PluginHarness harness = PluginHarness.of(new IpRestrictionFactory())) {
            harness.route("""
                    {"ip-restriction": {"whitelist": ["127.0.0.1", "10.0.0.0/8", "fe80::/10"]}}""");

            assertEquals(200, from(harness, "127.0.0.1").response().status());
            assertEquals(200, from(harness, "10.255.0.3").response().status());
            assertEquals(200, from(harness, "fe80::abcd").response().status());
            RunResult refused = from(harness, "11.0.0.1");
            assertEquals(403, refused.response().status());
            assertEquals("{\"message\":\"Your IP address is not allowed\"}", refused.bodyText());
            assertEquals(403, from(harness, "::1").response().status());
        }
    }

    @Test
    void aBlacklistKeepsItsAddressesOutWithTheConfiguredAnswer() {
        try (PluginHarness harness = PluginHarness.of(new IpRestrictionFactory())) {
            harness.route("""
                    {"ip-restriction": {"blacklist": ["192.168.0.0/16", "2001:db8::/32"], "message": "go away",
                                        "response_code": 404}}""");

            RunResult refused = from(harness, "192.168.7.7");
            assertEquals(404, refused.response().status());
            assertEquals("{\"message\":\"go away\"}", refused.bodyText());
            assertEquals(404, from(harness, "2001:db8::1").response().status());
            assertEquals(200, from(harness, "192.169.0.1").response().status());
            assertEquals(200, from(harness, "2001:db9::1").response().status());
        }
    }

    @Test
    void anEntryThatPassesTheSchemaButIsNoAddressIsRefusedWithApisixWords() {
        try (PluginHarness harness = PluginHarness.of(new IpRestrictionFactory())) {
            ConfigException e = assertThrows(ConfigException.class, () -> harness.route("""
                    {"ip-restriction": {"whitelist": ["::1/129"]}}"""));

            assertEquals("failed to check the configuration of plugin ip-restriction err: invalid ip address: ::1/129"
                    + " (expected: an IPv4 or IPv6 address or CIDR, such as 127.0.0.1, 192.168.0.0/16, ::1 or fe80::/10)",
                    e.errorMsg());
        }
    }
}
