package io.gatekit.plugins.cors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ResourceKind;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class CorsTest {

    private static HttpRequest request(String method, String origin, String... headers) {
        HttpRequest.Builder b = HttpRequest.builder().method(method).uri("/").header("Host", "example.com");
        if (origin != null) {
            b.header("Origin", origin);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    private static HttpHeaders run(String config, HttpRequest request) {
        try (PluginHarness harness = PluginHarness.of(new CorsFactory())) {
            harness.route("{\"cors\": " + config + "}");
            return harness.request(request).response().headers();
        }
    }

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new CorsFactory())
                .accepts("{}", """
                        {"allow_origins": "http://a.com,https://b.com", "allow_methods": "GET,POST",
                         "allow_headers": "X-A", "expose_headers": "X-B", "max_age": 60, "allow_credential": true}""",
                        """
                        {"allow_origins_by_regex": [".*\\\\.test\\\\.com$"], "timing_allow_origins": "**"}""")
                .rejects("""
                        {"allow_origins": "not an origin"}""", "/allow_origins")
                .rejects("""
                        {"allow_credential": true}""")
                .rejects("""
                        {"allow_origins_by_regex": []}""", "/allow_origins_by_regex")
                .discoverable()
                .tests();
    }

    @Test
    void theDefaultsAllowEveryOriginWithoutVary() {
        HttpHeaders h = run("{}", request("GET", "http://any.com"));

        assertEquals("*", h.get("Access-Control-Allow-Origin"));
        assertEquals("*", h.get("Access-Control-Allow-Methods"));
        assertEquals("*", h.get("Access-Control-Allow-Headers"));
        assertEquals("5", h.get("Access-Control-Max-Age"));
        assertFalse(h.contains("Vary"));
        assertFalse(h.contains("Access-Control-Allow-Credentials"));
    }

    @Test
    void aPreflightIsAnsweredAtOnceWithTheCorsHeaders() {
        try (PluginHarness harness = PluginHarness.of(new CorsFactory())) {
            harness.route("""
                    {"cors": {"allow_origins": "http://a.com,http://b.com", "allow_methods": "GET,POST",
                              "allow_headers": "**", "max_age": 600, "allow_credential": true}}""");

            RunResult preflight = harness.request(request("OPTIONS", "http://b.com",
                    "Access-Control-Request-Headers", "X-Custom"));

            assertEquals("cors", preflight.shortCircuitedBy());
            assertEquals(200, preflight.response().status());
            assertEquals("", preflight.bodyText());
            HttpHeaders h = preflight.response().headers();
            assertEquals("http://b.com", h.get("Access-Control-Allow-Origin"));
            assertEquals("GET,POST", h.get("Access-Control-Allow-Methods"));
            assertEquals("X-Custom", h.get("Access-Control-Allow-Headers"));
            assertEquals("600", h.get("Access-Control-Max-Age"));
            assertEquals("true", h.get("Access-Control-Allow-Credentials"));
            assertEquals("Origin", h.get("Vary"));
        }
    }

    @Test
    void anOriginNotInTheListGetsNoCorsHeadersButVary() {
        HttpHeaders h = run("""
                {"allow_origins": "http://a.com,http://b.com"}""", request("GET", "http://evil.com"));

        assertNull(h.get("Access-Control-Allow-Origin"));
        assertEquals("Origin", h.get("Vary"));
    }

    @Test
    void doubleStarEchoesTheOriginAndEveryMethod() {
        HttpHeaders h = run("""
                {"allow_origins": "**", "allow_methods": "**", "allow_headers": "**", "expose_headers": "X-Total"}""",
                request("GET", "http://x.com"));

        assertEquals("http://x.com", h.get("Access-Control-Allow-Origin"));
        assertEquals("GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS,CONNECT,TRACE", h.get("Access-Control-Allow-Methods"));
        assertEquals("X-Total", h.get("Access-Control-Expose-Headers"));
        assertNull(h.get("Access-Control-Allow-Headers"), "no headers were asked for");
    }

    @Test
    void regexesReplaceTheListAndMatchAnywhereInTheOrigin() {
        String config = """
                {"allow_origins": "http://listed.com", "allow_origins_by_regex": ["\\\\.test\\\\.com$", "^http://x"]}""";

        assertEquals("https://a.test.com", run(config, request("GET", "https://a.test.com"))
                .get("Access-Control-Allow-Origin"));
        assertEquals("http://xyz.org", run(config, request("GET", "http://xyz.org")).get("Access-Control-Allow-Origin"));
        assertNull(run(config, request("GET", "http://listed.com")).get("Access-Control-Allow-Origin"));
    }

    @Test
    void originsByMetadataAreLookedUpInThePluginMetadata() {
        try (PluginHarness harness = PluginHarness.of(new CorsFactory())) {
            harness.engine().put(ResourceKind.PLUGIN_METADATA, "cors", """
                    {"allow_origins": {"company": "https://a.company.com,https://b.company.com", "all": "*"}}""");
            harness.route("""
                    {"cors": {"allow_origins_by_metadata": ["company"], "allow_origins": "http://local.com"}}""");

            assertEquals("https://b.company.com", harness.request(request("GET", "https://b.company.com"))
                    .response().headers().get("Access-Control-Allow-Origin"));
            assertEquals("http://local.com", harness.request(request("GET", "http://local.com"))
                    .response().headers().get("Access-Control-Allow-Origin"));
        }
    }

    @Test
    void timingAllowOriginIsSentToTheOriginsItNames() {
        HttpHeaders h = run("""
                {"timing_allow_origins": "http://a.com,http://t.com"}""", request("GET", "http://t.com"));
        HttpHeaders other = run("""
                {"timing_allow_origins": "http://a.com,http://t.com"}""", request("GET", "http://u.com"));

        assertEquals("http://t.com", h.get("Timing-Allow-Origin"));
        assertNull(other.get("Timing-Allow-Origin"));
    }

    @Test
    void aStarWithCredentialsIsRefusedWithApisixWords() {
        try (PluginHarness harness = PluginHarness.of(new CorsFactory())) {
            for (String config : List.of("""
                    {"allow_credential": true, "allow_origins": "http://a.com"}""", """
                    {"allow_credential": true, "allow_origins": "http://a.com", "allow_methods": "GET",
                     "allow_headers": "X", "expose_headers": "*"}""")) {
                ConfigException e = assertThrows(ConfigException.class, () -> harness.route("{\"cors\": " + config + "}"));
                assertEquals("failed to check the configuration of plugin cors err: you can not set '*' for other"
                        + " option when 'allow_credential' is true", e.errorMsg());
            }
            harness.route("""
                    {"cors": {"allow_credential": true, "allow_origins": "**", "allow_methods": "**",
                              "allow_headers": "**"}}""");
            String invalid = assertThrows(ConfigException.class, () -> harness.route("""
                    {"cors": {"allow_origins_by_regex": ["("]}}""")).errorMsg();
            assertTrue(invalid.startsWith("failed to check the configuration of plugin cors err:"
                    + " allow_origins_by_regex[0]: \"(\" (expected: a regex;"), invalid);
        }
    }
}
