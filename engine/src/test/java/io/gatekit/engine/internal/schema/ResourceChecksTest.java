package io.gatekit.engine.internal.schema;

import static io.gatekit.engine.internal.schema.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceChecksTest {

    @Test
    void rewritingTheHostNeedsAnUpstreamHost() {
        List<Violation> violations = ResourceChecks.check("upstreams",
                json("{\"nodes\": {\"a:80\": 1}, \"pass_host\": \"rewrite\"}"));

        assertEquals(List.of(new Violation("/upstream_host", "passHost",
                "`upstream_host` can't be empty when `pass_host` is `rewrite`")), violations);
        assertEquals("`upstream_host` can't be empty when `pass_host` is `rewrite`",
                ApisixErrors.resourceError(violations));
    }

    @Test
    void anEmptyUpstreamHostCountsAsMissing() {
        assertEquals(1, ResourceChecks.check("upstreams",
                json("{\"nodes\": {\"a:80\": 1}, \"pass_host\": \"rewrite\", \"upstream_host\": \"\"}")).size());
        assertEquals(List.of(), ResourceChecks.check("upstreams",
                json("{\"nodes\": {\"a:80\": 1}, \"pass_host\": \"rewrite\", \"upstream_host\": \"b.internal\"}")));
    }

    @Test
    void consistentHashingNeedsAKeyUnlessItHashesOnTheConsumer() {
        assertEquals(List.of(new Violation("/key", "chashKey", "missing key")),
                ResourceChecks.check("upstreams", json("{\"nodes\": {\"a:80\": 1}, \"type\": \"chash\"}")));
        assertEquals(List.of(), ResourceChecks.check("upstreams",
                json("{\"nodes\": {\"a:80\": 1}, \"type\": \"chash\", \"hash_on\": \"consumer\"}")));
    }

    @Test
    void theHashKeyMustNameAVariableOrHeaderAsInApisix() {
        assertEquals(List.of(), ResourceChecks.check("upstreams",
                json("{\"nodes\": {\"a:80\": 1}, \"type\": \"chash\", \"key\": \"arg_user\"}")));
        List<Violation> violations = ResourceChecks.check("upstreams",
                json("{\"nodes\": {\"a:80\": 1}, \"type\": \"chash\", \"hash_on\": \"header\", \"key\": \"x user\"}"));

        assertEquals("invalid configuration: failed to match pattern \"^[a-zA-Z0-9-_]+$\" with \"x user\"",
                ApisixErrors.resourceError(violations));
        assertEquals("/key", violations.get(0).pointer());
        assertEquals(1, ResourceChecks.check("upstreams",
                json("{\"nodes\": {\"a:80\": 1}, \"type\": \"chash\", \"key\": \"cookie_x\"}")).size());
    }

    @Test
    void inlineUpstreamsOfRoutesAndServicesAreCheckedUnderTheirPointer() {
        assertEquals(List.of("/upstream/upstream_host"), ResourceChecks.check("routes", json("""
                {"uri": "/a", "upstream": {"nodes": {"a:80": 1}, "pass_host": "rewrite"}}""")).stream()
                .map(Violation::pointer).toList());
        assertEquals(List.of("/upstream/key"), ResourceChecks.check("services", json("""
                {"upstream": {"nodes": {"a:80": 1}, "type": "chash"}}""")).stream().map(Violation::pointer).toList());
    }

    @Test
    void aRouteMustHaveSomethingToRun() {
        List<Violation> violations = ResourceChecks.check("routes", json("{\"uri\": \"/a\", \"plugin_config_id\": 1}"));

        assertEquals(List.of(new Violation("", "required",
                "at least one of \"plugins\", \"upstream\", \"upstream_id\" or \"service_id\" is required")),
                violations);
        for (String target : List.of("\"plugins\": {}", "\"upstream_id\": 1", "\"service_id\": \"s\"",
                "\"upstream\": {\"nodes\": {\"a:80\": 1}}")) {
            assertEquals(List.of(), ResourceChecks.check("routes", json("{\"uri\": \"/a\", " + target + "}")), target);
        }
    }

    @Test
    void kindsWithoutRulesHaveNoViolations() {
        assertEquals(List.of(), ResourceChecks.check("global_rules", json("{\"plugins\": {}}")));
        assertEquals(List.of(), ResourceChecks.check("plugin_configs", json("{\"plugins\": {}}")));
    }
    @Test
    void aNodeKeyThatIsNotHostAndPortIsRefusedAtItsPointer() {
        for (String bad : List.of("127.0.0.1:abc", "127.0.0.1:-1", "bad host:80",
                "", ":80", "a:", "[::1", "[::1]x", "a/b:80")) {
            List<Violation> violations = ResourceChecks.check("upstreams",
                    json("{\"nodes\": {\"" + bad + "\": 1}}"));

            assertEquals(1, violations.size(), bad);
            assertEquals("/nodes/" + bad.replace("~", "~0").replace("/", "~1"), violations.get(0).pointer(), bad);
            assertEquals("nodeAddress", violations.get(0).keyword(), bad);
        }
        for (String good : List.of("127.0.0.1:80", "a.internal", "a-b_c.d:65535", "[::1]:8080", "[fe80::1]")) {
            assertEquals(List.of(), ResourceChecks.check("upstreams", json("{\"nodes\": {\"" + good + "\": 1}}")),
                    good);
        }
    }

    @Test
    void aNodeKeyWithAPortOutOfRangeGetsApisixsText() {
        for (String bad : List.of("127.0.0.1:0", "127.0.0.1:65536", "[::1]:70000")) {
            List<Violation> violations = ResourceChecks.check("upstreams", json("{\"nodes\": {\"" + bad + "\": 1}}"));

            assertEquals(1, violations.size(), bad);
            assertEquals("nodePort", violations.get(0).keyword(), bad);
            assertEquals("invalid port " + bad.substring(bad.lastIndexOf(':') + 1), violations.get(0).message());
            assertEquals("invalid port " + bad.substring(bad.lastIndexOf(':') + 1),
                    ApisixErrors.resourceError(violations));
        }
    }

    @Test
    void aRouteWithALuaFilterFuncIsRefusedSinceIgnoringItWouldMatchMoreRequests() {
        List<Violation> violations = ResourceChecks.check("routes", json("""
                {"uri": "/a", "upstream_id": 1, "filter_func": "function(vars) return vars.arg_debug ~= nil end"}"""));

        assertEquals(1, violations.size(), violations.toString());
        assertEquals("/filter_func", violations.get(0).pointer());
        assertTrue(violations.get(0).message().startsWith("filter_func: a Lua function is not supported (expected: "),
                violations.get(0).message());
    }

    @Test
    void aFailedOneOfIsExplainedByNamingTheFieldsInvolved() {
        assertEquals(List.of(new Violation("/uris", "oneOf",
                        "uri and uris: both are set (expected: at most one of them)")),
                ResourceChecks.alternatives("routes", json("{\"uri\": \"/a\", \"uris\": [\"/b\"]}")));
        assertEquals(List.of("/uri", "/hosts"), ResourceChecks.alternatives("routes",
                json("{\"host\": \"a\", \"hosts\": [\"b\"]}")).stream().map(Violation::pointer).toList());
        assertEquals(List.of("/upstream/nodes"), ResourceChecks.alternatives("services",
                json("{\"upstream\": {\"type\": \"roundrobin\"}}")).stream().map(Violation::pointer).toList());
        assertEquals(List.of(), ResourceChecks.alternatives("upstreams", json("{\"nodes\": {\"a:80\": 1}}")));
    }
}
