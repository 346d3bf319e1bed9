package io.gatekit.plugins.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ProxyRewriteTest {

    private static RunResult run(String config, HttpRequest request) {
        try (PluginHarness harness = PluginHarness.of(new ProxyRewriteFactory())) {
            harness.route("{\"proxy-rewrite\": " + config + "}");
            return harness.request(request);
        }
    }

    private static HttpRequest get(String uri, String... headers) {
        HttpRequest.Builder b = HttpRequest.builder().uri(uri).header("Host", "example.com");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new ProxyRewriteFactory())
                .accepts("""
                        {"uri": "/v2$uri", "method": "POST", "host": "internal.example.com",
                         "headers": {"add": {"X-A": ["1", 2]}, "set": {"X-B": "$http_x_user"}, "remove": ["Cookie"]}}""",
                        """
                        {"regex_uri": ["^/api/(.*)", "/$1"], "headers": {"X-Flat": "v"}}""")
                .rejects("{}")
                .rejects("""
                        {"uri": "no-slash"}""", "/uri")
                .rejects("""
                        {"method": "FETCH"}""", "/method")
                .rejects("""
                        {"regex_uri": ["^/a"]}""", "/regex_uri")
                .rejects("""
                        {"host": "bad host"}""", "/host")
                .discoverable()
                .tests();
    }

    @Test
    void uriReplacesThePathResolvesVariablesAndKeepsTheClientsQuery() {
        RunResult result = run("""
                {"uri": "/v2$uri"}""", get("/things?a=1&b=2"));

        assertEquals("/v2/things", result.upstreamRequest().path());
        assertEquals("a=1&b=2", result.upstreamRequest().rawQuery());
    }

    @Test
    void aQueryInUriComesFirstAndTheClientsFollowsWithAnAmpersand() {
        RunResult result = run("""
                {"uri": "/new?from=rewrite"}""", get("/old?a=1"));

        assertEquals("/new?from=rewrite&a=1", result.upstreamRequest().uri());
    }

    @Test
    void aQuestionMarkInAVariableValueCannotStartAQuery() {
        RunResult result = run("""
                {"uri": "/p/$http_x_name"}""", get("/", "X-Name", "a?b=c"));

        assertEquals("/p/a%3Fb=c", result.upstreamRequest().path());
        assertNull(result.upstreamRequest().rawQuery());
    }

    @Test
    void regexUriAppliesTheFirstMatchingPairAndItsCapturesReachHeaders() {
        RunResult result = run("""
                {"regex_uri": ["^/nomatch/(.*)", "/x/$1", "^/api/(\\\\w+)/(.*)", "/$2/${1}"],
                 "headers": {"set": {"X-Service": "$1", "X-All": "$0"}}}""", get("/api/users/42/profile?q=1"));

        assertEquals("/42/profile/users?q=1", result.upstreamRequest().uri());
        assertEquals("users", result.upstreamRequest().headers().get("X-Service"));
        assertEquals("/api/users/42/profile", result.upstreamRequest().headers().get("X-All"));
    }

    @Test
    void aRegexThatMatchesNothingLeavesTheRequestAlone() {
        RunResult result = run("""
                {"regex_uri": ["^/api/(.*)", "/$1"]}""", get("/other%20path?x=1"));

        assertEquals("/other%20path?x=1", result.upstreamRequest().uri());
    }

    @Test
    void aRewrittenPathIsEncodedWhereItHoldsWhatAPathMayNotButNeverTwice() {
        RunResult result = run("""
                {"uri": "/a b/$http_x_v"}""", get("/", "X-V", "ok%20already"));

        assertEquals("/a%20b/ok%20already", result.upstreamRequest().path());
    }

    @Test
    void headersAreAddedThenSetThenRemovedAsInApisix() {
        RunResult result = run("""
                {"headers": {"add": {"X-Multi": ["a", 1]}, "set": {"X-User": "$http_x_in", "X-Multi": "only"},
                             "remove": ["X-Drop", "X-In"]}}""",
                get("/", "X-In", "alice", "X-Drop", "gone", "X-Multi", "client"));

        assertEquals("alice", result.upstreamRequest().headers().get("X-User"));
        assertEquals(List.of("only"), result.upstreamRequest().headers().all("X-Multi"));
        assertFalse(result.upstreamRequest().headers().contains("X-Drop"));
        assertFalse(result.upstreamRequest().headers().contains("X-In"));
    }

    @Test
    void addKeepsWhatTheClientSentAndAnArraySetsSeveralValues() {
        RunResult result = run("""
                {"headers": {"add": {"X-Tag": ["a", "b"]}, "set": {"X-Set": ["1", 2.5]}}}""",
                get("/", "X-Tag", "client", "X-Set", "old"));

        assertEquals(List.of("client", "a", "b"), result.upstreamRequest().headers().all("X-Tag"));
        assertEquals(List.of("1", "2.5"), result.upstreamRequest().headers().all("X-Set"));
    }

    @Test
    void theOldFlatFormSetsEachHeader() {
        RunResult result = run("""
                {"headers": {"X-Api-Version": "v2", "X-Number": 10}}""", get("/", "X-Api-Version", "v1"));

        assertEquals(List.of("v2"), result.upstreamRequest().headers().all("X-Api-Version"));
        assertEquals("10", result.upstreamRequest().headers().get("X-Number"));
    }

    @Test
    void methodAndHostAreRewritten() {
        RunResult result = run("""
                {"method": "POST", "host": "internal.example.com:8080"}""", get("/"));

        assertEquals("POST", result.upstreamRequest().method());
        assertEquals("internal.example.com:8080", result.upstreamRequest().headers().get("Host"));
    }

    @Test
    void theUnsafeModeRewritesTheRawUriQueryIncluded() {
        RunResult regex = run("""
                {"regex_uri": ["^/a/(.*)\\\\?x=(.*)", "/b/$1?y=$2"], "use_real_request_uri_unsafe": true}""",
                get("/a/p%2Fq?x=1"));
        RunResult uri = run("""
                {"uri": "/fixed?k=v", "use_real_request_uri_unsafe": true}""", get("/a?x=1"));

        assertEquals("/b/p%2Fq?y=1", regex.upstreamRequest().uri());
        assertEquals("/fixed?k=v&x=1", uri.upstreamRequest().uri());
    }

    @Test
    void badConfigsAreRefusedWithApisixTexts() {
        try (PluginHarness harness = PluginHarness.of(new ProxyRewriteFactory())) {
            assertEquals("failed to check the configuration of plugin proxy-rewrite err: "
                    + "The length of regex_uri should be an even number",
                    assertThrows(ConfigException.class, () -> harness.route("""
                            {"proxy-rewrite": {"regex_uri": ["^/a", "/b", "^/c"]}}""")).errorMsg());
            String invalid = assertThrows(ConfigException.class, () -> harness.route("""
                    {"proxy-rewrite": {"regex_uri": ["^/(a", "/b"]}}""")).errorMsg();
            assertTrue(invalid.startsWith("failed to check the configuration of plugin proxy-rewrite err: "
                    + "invalid regex_uri(^/(a, /b): "), invalid);
            assertEquals("failed to check the configuration of plugin proxy-rewrite err: "
                    + "invalid value character in header",
                    assertThrows(ConfigException.class, () -> harness.route("""
                            {"proxy-rewrite": {"headers": {"X-A": "new\\nline"}}}""")).errorMsg());
            String group = assertThrows(ConfigException.class, () -> harness.route("""
                    {"proxy-rewrite": {"regex_uri": ["^/(a)", "/$2"]}}""")).errorMsg();
            assertTrue(group.contains("refers to group 2"), group);
        }
    }
}
