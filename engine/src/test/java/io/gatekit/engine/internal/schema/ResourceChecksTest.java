package io.gatekit.engine.internal.schema;

import static io.gatekit.engine.internal.schema.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
