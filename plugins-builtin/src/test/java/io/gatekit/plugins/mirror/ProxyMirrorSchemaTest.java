package io.gatekit.plugins.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.PluginInfo;
import io.gatekit.engine.ResourceKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The config contract: APISIX's schema and error texts (reference §1.2), plus the extensions. */
class ProxyMirrorSchemaTest {

    private static final String PREFIX = "failed to check the configuration of plugin proxy-mirror err: ";

    private final Engine engine = Engine.builder().plugin(new ProxyMirrorFactory()).build();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    private void put(String conf) {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/hello", "upstream": {"nodes": {"127.0.0.1:1980": 1}, "type": "roundrobin"},
                 "plugins": {"proxy-mirror": %s}}""".formatted(conf));
    }

    private String rejected(String conf) {
        ConfigException e = assertThrows(ConfigException.class, () -> put(conf));
        assertEquals(400, e.status());
        return e.errorMsg();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1", "http://127.0.0.1:1999", "http://a", "http://ab.com",
            "http://[::1]", "http://[::1]:202", "https://mirror.example.com:8443", "grpc://127.0.0.1:1986",
            "grpcs://127.0.0.1:1986"})
    void acceptsTheHostsApisixAccepts(String host) {
        put("{\"host\": \"" + host + "\"}");

        assertTrue(engine.get(ResourceKind.ROUTES, "1").isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1:1999", "http://127.0.0.1::1999", "127.0.0.1:1999",
            "http://127.0.0.1:1999/invalid_uri", "http://127.0.0.1/", "http://user@127.0.0.1", "http://a?b=1"})
    void rejectsTheHostsApisixRejectsQuotingItsPattern(String host) {
        String msg = rejected("{\"host\": \"" + host + "\"}");

        assertEquals(PREFIX + "property \"host\" validation failed: failed to match pattern "
                + "\"^(http(s)?|grpc(s)?):\\\\/\\\\/([\\\\da-zA-Z.-]+|\\\\[[\\\\da-fA-F:]+\\\\])(:\\\\d+)?$\" with \""
                + host + "\"", msg);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "/a?a=c", "/", "/a&b"})
    void rejectsPathsApisixRejects(String path) {
        String msg = rejected("{\"host\": \"http://127.0.0.1:1999\", \"path\": \"" + path + "\"}");

        assertEquals(PREFIX + "property \"path\" validation failed: failed to match pattern \"^/[^?&]+$\" with \""
                + path + "\"", msg);
    }

    @Test
    void rejectsASampleRatioAboveOneWithApisixText() {
        String msg = rejected("{\"host\": \"http://127.0.0.1:1986\", \"sample_ratio\": 10}");

        assertEquals(PREFIX + "property \"sample_ratio\" validation failed: expected 10 to be at most 1", msg);
    }

    @Test
    void rejectsASampleRatioBelowTheMinimumWithApisixText() {
        String msg = rejected("{\"host\": \"http://127.0.0.1:1986\", \"sample_ratio\": 0}");

        assertEquals(PREFIX + "property \"sample_ratio\" validation failed: expected 0 to be at least 1e-05", msg);
    }

    @Test
    void requiresHost() {
        assertEquals(PREFIX + "property \"host\" is required", rejected("{\"path\": \"/a\"}"));
    }

    @Test
    void rejectsAnUnknownConcatMode() {
        String msg = rejected("{\"host\": \"http://127.0.0.1\", \"path\": \"/a\", \"path_concat_mode\": \"append\"}");

        assertEquals(PREFIX + "property \"path_concat_mode\" validation failed: matches none of the enum values", msg);
    }

    @Test
    void ignoresUnknownTopLevelFieldsAsApisixDoes() {
        put("{\"host\": \"http://127.0.0.1:1986\", \"mode\": \"prefix\"}");

        assertTrue(engine.get(ResourceKind.ROUTES, "1").isPresent());
    }

    @Test
    void acceptsEveryExtensionTogether() {
        put("""
                {"host": "http://127.0.0.1:1986", "path": "/shadow", "path_concat_mode": "prefix", "sample_ratio": 0.5,
                 "targets": [{"host": "https://[::1]:8443", "sample_ratio": 0.01},
                             {"host": "http://audit", "path": "/a", "path_concat_mode": "replace"}],
                 "timeout": {"connect": 0.5, "send": 2, "read": 5},
                 "headers": {"set": {"X-Mirror": "1"}, "remove": ["Authorization", "Cookie"]},
                 "body": true, "max_body_size": 1048576, "max_in_flight": 64, "ssl_verify": false}""");

        assertTrue(engine.get(ResourceKind.ROUTES, "1").isPresent());
    }

    @Test
    void checksEachTargetWithTheApisixRules() {
        String msg = rejected("{\"host\": \"http://127.0.0.1\", \"targets\": [{\"host\": \"ftp://x\"}]}");

        assertTrue(msg.startsWith(PREFIX + "property \"targets\" validation failed: failed to validate item 1: "
                + "property \"host\" validation failed: failed to match pattern"), msg);
    }

    @Test
    void rejectsATargetWithoutHostOrWithAnUnknownField() {
        assertTrue(rejected("{\"host\": \"http://a\", \"targets\": [{\"path\": \"/x\"}]}")
                .endsWith("property \"host\" is required"));
        assertTrue(rejected("{\"host\": \"http://a\", \"targets\": [{\"host\": \"http://b\", \"hots\": 1}]}")
                .endsWith("additional properties forbidden, found hots"));
    }

    @Test
    void rejectsNonPositiveTimeoutsAndTooSmallBounds() {
        assertEquals(PREFIX + "property \"timeout\" validation failed: property \"read\" validation failed: "
                + "expected 0 to be greater than 0", rejected("{\"host\": \"http://a\", \"timeout\": {\"read\": 0}}"));
        assertEquals(PREFIX + "property \"max_in_flight\" validation failed: expected 0 to be at least 1",
                rejected("{\"host\": \"http://a\", \"max_in_flight\": 0}"));
        assertEquals(PREFIX + "property \"max_body_size\" validation failed: expected -1 to be at least 0",
                rejected("{\"host\": \"http://a\", \"max_body_size\": -1}"));
    }

    @Test
    void refusesToSetAHeaderTheMirrorClientManages() {
        String msg = rejected("{\"host\": \"http://a\", \"headers\": {\"set\": {\"Content-Length\": \"5\"}}}");

        assertEquals(PREFIX + "headers.set: \"Content-Length\" (expected: a header other than connection, "
                + "content-length, expect, keep-alive, proxy-connection, te, trailer, transfer-encoding, upgrade, "
                + "which the mirror client sets itself)", msg);
    }

    @Test
    void refusesHeaderNamesThatAreNotTokensAndValuesWithLineBreaks() {
        assertTrue(rejected("{\"host\": \"http://a\", \"headers\": {\"remove\": [\"Bad Name\"]}}")
                .startsWith(PREFIX + "headers.remove: \"Bad Name\" (expected: a header name"));
        assertTrue(rejected("{\"host\": \"http://a\", \"headers\": {\"set\": {\"X-A\": \"1\\r\\nX-B: 2\"}}}")
                .startsWith(PREFIX + "headers.set.X-A: \"1\\r\\nX-B: 2\" (expected: a value without CR, LF or NUL)"));
    }

    @Test
    void isFoundByServiceLoaderWithApisixNameAndPriority() {
        try (Engine discovered = Engine.builder().discoverPlugins().build()) {
            PluginInfo info = discovered.plugin("proxy-mirror").orElse(null);

            assertNotNull(info, "proxy-mirror not registered in META-INF/services");
            assertEquals(1010, info.priority());
        }
    }
}
