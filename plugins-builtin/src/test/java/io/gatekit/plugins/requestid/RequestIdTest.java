package io.gatekit.plugins.requestid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class RequestIdTest {

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new RequestIdFactory())
                .accepts("{}", """
                        {"header_name": "X-Trace", "include_in_response": false, "algorithm": "range_id",
                         "range_id": {"length": 8, "char_set": "abcdef"}}""")
                .rejects("""
                        {"algorithm": "snowflake"}""", "/algorithm")
                .rejects("""
                        {"algorithm": "range_id", "range_id": {"length": 5}}""", "/range_id/length")
                .rejects("""
                        {"range_id": {"char_set": "abc"}}""", "/range_id/char_set")
                .discoverable()
                .tests();
    }

    private static Set<String> ids(String config, String pattern, int n) {
        Set<String> seen = new HashSet<>();
        try (PluginHarness harness = PluginHarness.of(new RequestIdFactory())) {
            harness.route("{\"request-id\": " + config + "}");
            for (int i = 0; i < n; i++) {
                RunResult result = harness.request("/");
                String id = result.upstreamRequest().headers().get("X-Request-Id");
                assertTrue(id.matches(pattern), id + " is not " + pattern);
                assertEquals(id, result.response().headers().get("X-Request-Id"), "the client gets the same id");
                seen.add(id);
                harness.clock().advance(Duration.ofMillis(1));
            }
        }
        return seen;
    }

    @Test
    void everyAlgorithmMakesDistinctIdsOfItsShape() {
        assertEquals(50, ids("{}", "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", 50).size());
        assertEquals(50, ids("""
                {"algorithm": "uuidv7"}""", "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", 50).size());
        assertEquals(50, ids("""
                {"algorithm": "nanoid"}""", "[A-Za-z0-9_-]{21}", 50).size());
        assertEquals(50, ids("""
                {"algorithm": "ksuid"}""", "[0-9A-Za-z]{27}", 50).size());
        assertEquals(50, ids("""
                {"algorithm": "range_id", "range_id": {"length": 10, "char_set": "xyz123"}}""", "[xyz123]{10}", 50).size());
    }

    @Test
    void uuidv7IdsSortInTheOrderTheyWereMade() {
        try (PluginHarness harness = PluginHarness.of(new RequestIdFactory())) {
            harness.route("""
                    {"request-id": {"algorithm": "uuidv7"}}""");
            String previous = "";
            for (int i = 0; i < 20; i++) {
                String id = harness.request("/").upstreamRequest().headers().get("X-Request-Id");
                assertTrue(id.compareTo(previous) > 0, id + " after " + previous);
                previous = id;
            }
        }
    }

    @Test
    void anIdTheClientSentIsKeptAndAnIdTheUpstreamAnsweredWithIsNotOverwritten() {
        try (PluginHarness harness = PluginHarness.of(new RequestIdFactory())) {
            harness.route("""
                    {"request-id": {"header_name": "X-Trace"}}""");

            RunResult kept = harness.request(HttpRequest.builder().uri("/").header("Host", "h")
                    .header("X-Trace", "abc").build());
            harness.upstreamResponds(HttpResponse.of(200, HttpHeaders.of("X-Trace", "upstream"), new byte[0]));
            RunResult upstreamOwn = harness.request("/");

            assertEquals("abc", kept.upstreamRequest().headers().get("X-Trace"));
            assertEquals("abc", kept.response().headers().get("X-Trace"));
            assertEquals("upstream", upstreamOwn.response().headers().get("X-Trace"));
            assertNotEquals("upstream", upstreamOwn.upstreamRequest().headers().get("X-Trace"));
        }
    }

    @Test
    void withoutIncludeInResponseTheClientGetsNoIdAndNoHeaderFilterRuns() {
        try (PluginHarness harness = PluginHarness.of(new RequestIdFactory())) {
            harness.route("""
                    {"request-id": {"include_in_response": false}}""");

            RunResult result = harness.request("/");

            assertTrue(result.upstreamRequest().headers().contains("X-Request-Id"));
            assertFalse(result.response().headers().contains("X-Request-Id"));
            assertEquals(java.util.List.of("request-id@rewrite"), result.trace());
        }
    }
}
