package io.gatekit.engine.internal.schema;

import static io.gatekit.engine.internal.schema.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.Violation;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceSchemasTest {

    private static final ResourceSchemas SCHEMAS = new ResourceSchemas(new EveritSchemaValidator());

    private static List<Violation> check(String kind, String document) {
        return SCHEMAS.schema(kind).validate(json(document));
    }

    private static String errorMsg(String kind, String document) {
        return ApisixErrors.resourceError(check(kind, document));
    }

    // -- routes shaped like the seeds' examples (APISIX docs for proxy-mirror, ext-plugin-post-resp)

    @Test
    void acceptsARouteThatMirrorsToAnotherHost() {
        assertEquals(List.of(), check("routes", """
                {"uri": "/hello",
                 "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:9797"}},
                 "upstream": {"type": "roundrobin", "nodes": {"127.0.0.1:1999": 1}}}"""));
    }

    @Test
    void acceptsARouteWhosePluginsWereAllRemoved() {
        assertEquals(List.of(), check("routes", """
                {"uri": "/hello", "plugins": {},
                 "upstream": {"type": "roundrobin", "nodes": {"127.0.0.1:1999": 1}}}"""));
    }

    @Test
    void acceptsARouteRunningAnExternalPluginAfterTheResponse() {
        assertEquals(List.of(), check("routes", """
                {"uri": "/index.html",
                 "plugins": {"ext-plugin-post-resp": {
                   "conf": [{"name": "ext-plugin-A", "value": "{\\"enable\\":\\"feature\\"}"}]}},
                 "upstream": {"type": "roundrobin", "nodes": {"127.0.0.1:1980": 1}}}"""));
    }

    @Test
    void acceptsARouteUsingEveryMatchingAndBindingField() {
        assertEquals(List.of(), check("routes", """
                {"id": "orders-v2", "name": "orders", "desc": "order API, v2 clients",
                 "labels": {"team": "checkout", "env": "prod"},
                 "uris": ["/orders/*", "/orders"], "methods": ["GET", "POST", "PURGE"],
                 "hosts": ["api.example.com", "*.example.org"],
                 "remote_addrs": ["10.0.0.0/8", "192.168.1.7", "::1", "fe80::/10"],
                 "vars": [["http_x_api_version", "==", "v2"]], "priority": 10,
                 "timeout": {"connect": 3, "send": 3, "read": 10.5},
                 "enable_websocket": false, "status": 0,
                 "filter_func": "function(vars) return vars.arg_debug ~= nil end",
                 "plugin_config_id": 7, "service_id": "svc-1", "upstream_id": "up.1",
                 "create_time": 1700000000, "update_time": 1700000001}"""));
    }

    @Test
    void routeDefaultsAreThoseOfApisix() {
        SchemaResult result = SCHEMAS.schema("routes").validateAndApplyDefaults(json("""
                {"uri": "/a", "upstream": {"nodes": [{"host": "10.0.0.1", "port": 8080, "weight": 1}]}}"""));

        JsonNode route = result.document();
        assertEquals(0, route.get("priority").asInt());
        assertEquals(1, route.get("status").asInt());
        assertEquals("roundrobin", route.at("/upstream/type").asText());
        assertEquals("pass", route.at("/upstream/pass_host").asText());
        assertEquals("http", route.at("/upstream/scheme").asText());
        assertEquals("vars", route.at("/upstream/hash_on").asText());
        assertEquals(0, route.at("/upstream/nodes/0/priority").asInt());
    }

    @Test
    void aUriOfTheWrongTypeGivesApisixsExactErrorMsg() {
        assertEquals("invalid configuration: property \"uri\" validation failed: wrong type: expected string,"
                + " got number",
                errorMsg("routes", "{\"uri\": 1, \"upstream_id\": 1}"));
    }

    @Test
    void aRouteWithoutUriOrUrisFailsTheFirstAllOfBranchAsInApisix() {
        assertEquals("invalid configuration: allOf 1 failed: value should match only one schema, but matches none",
                errorMsg("routes", "{\"upstream_id\": 1}"));
    }

    @Test
    void uriAndUrisTogetherMatchBothAlternatives() {
        assertEquals("invalid configuration: allOf 1 failed: value should match only one schema, but matches both"
                + " schemas 1 and 2", errorMsg("routes", "{\"uri\": \"/a\", \"uris\": [\"/b\"], \"upstream_id\": 1}"));
    }

    @Test
    void hostAndHostsTogetherMatchBothAlternatives() {
        assertEquals("invalid configuration: allOf 2 failed: value should match only one schema, but matches both"
                + " schemas 2 and 3",
                errorMsg("routes",
                        "{\"uri\": \"/a\", \"host\": \"a.com\", \"hosts\": [\"b.com\"], \"upstream_id\": 1}"));
    }

    @Test
    void arrayLimitsReadAsInApisix() {
        assertEquals("invalid configuration: property \"uris\" validation failed: expect array to have"
                + " at least 1 items",
                errorMsg("routes", "{\"uris\": [], \"upstream_id\": 1}"));
        assertEquals("invalid configuration: property \"uris\" validation failed: expected unique items but items 1"
                + " and 2 are equal", errorMsg("routes", "{\"uris\": [\"/foo\", \"/foo\"], \"upstream_id\": 1}"));
    }

    @Test
    void statusOtherThanZeroOrOneMatchesNoEnumValue() {
        assertEquals("invalid configuration: property \"status\" validation failed: matches none of the enum values",
                errorMsg("routes", "{\"uri\": \"/foo\", \"status\": 3, \"upstream_id\": 1}"));
    }

    @Test
    void aMalformedIdMatchesNoneOfItsForms() {
        assertEquals("invalid configuration: property \"plugin_config_id\" validation failed: object matches none of"
                + " the required", errorMsg("routes", "{\"uri\": \"/foo\", \"plugin_config_id\": \"@@@@@@@@\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"a b\"", "0", "-3",
        "\"12345678901234567890123456789012345678901234567890123456789012345\""})
    void idsMustBeOneToSixtyFourSafeCharactersOrAPositiveInteger(String id) {
        List<Violation> violations = check("routes", "{\"id\": " + id + ", \"uri\": \"/a\", \"upstream_id\": 1}");

        assertEquals(List.of("/id"), violations.stream().map(Violation::pointer).toList());
    }

    @Test
    void unknownMethodsAreRejectedItemByItem() {
        assertEquals("invalid configuration: property \"methods\" validation failed: failed to validate item 2:"
                + " matches none of the enum values",
                errorMsg("routes", "{\"uri\": \"/a\", \"methods\": [\"GET\", \"FETCH\"], \"upstream_id\": 1}"));
    }

    @Test
    void luaOnlyScriptFieldsAreNotAccepted() {
        assertEquals("invalid configuration: additional properties forbidden, found script",
                errorMsg("routes", "{\"uri\": \"/a\", \"script\": \"local _M = {} return _M\"}"));
    }

    @Test
    void anInlineUpstreamIsCheckedAsAnUpstream() {
        assertEquals("invalid configuration: property \"upstream\" validation failed: value should match only one"
                + " schema, but matches none",
                errorMsg("routes", "{\"uri\": \"/a\", \"upstream\": {\"type\": \"roundrobin\"}}"));
        assertEquals("invalid configuration: property \"upstream\" validation failed: property \"timeout\" validation"
                + " failed: property \"read\" is required", errorMsg("routes", """
                {"uri": "/a", "upstream": {"nodes": {"a:80": 1}, "timeout": {"connect": 1, "send": 1}}}"""));
    }

    @Test
    void routeTimeoutsMustBePositive() {
        assertEquals("invalid configuration: property \"timeout\" validation failed: property \"connect\" validation"
                + " failed: expected 0 to be greater than 0",
                errorMsg("routes", "{\"uri\": \"/a\", \"upstream_id\": 1,"
                        + " \"timeout\": {\"connect\": 0, \"send\": 1, \"read\": 1}}"));
    }

    @Test
    void labelValuesMustBeNonBlankWords() {
        assertEquals("invalid configuration: property \"labels\" validation failed: failed to validate env (matching"
                + " \".*\"): failed to match pattern \"^\\\\S+$\" with \"pro d\"",
                errorMsg("routes", "{\"uri\": \"/a\", \"upstream_id\": 1, \"labels\": {\"env\": \"pro d\"}}"));
    }

    // -- upstreams

    @Test
    void acceptsUpstreamsInEveryNodeFormAndBalancer() {
        assertEquals(List.of(), check("upstreams",
                "{\"type\": \"roundrobin\", \"nodes\": {\"httpbin.org:80\": 1, \"[::1]:8080\": 0}}"));
        assertEquals(List.of(), check("upstreams", """
                {"type": "chash", "hash_on": "header", "key": "X-User", "retries": 2, "retry_timeout": 5,
                 "nodes": [{"host": "10.0.0.1", "port": 80, "weight": 10, "priority": -1, "metadata": {"zone": "a"}},
                           {"host": "[fe80::1]", "port": 8443, "weight": 1}],
                 "timeout": {"connect": 1, "send": 2, "read": 3}, "scheme": "https", "pass_host": "rewrite",
                 "upstream_host": "backend.internal",
                 "keepalive_pool": {"size": 64, "idle_timeout": 30, "requests": 100},
                 "checks": {"active": {"http_path": "/healthz", "healthy": {"interval": 2}}},
                 "name": "b", "desc": "d"}"""));
        assertEquals(List.of(), check("upstreams", "{\"service_name\": \"orders\", \"discovery_type\": \"dns\"}"));
    }

    @Test
    void upstreamFieldsRejectWhatApisixRejects() {
        assertEquals("invalid configuration: property \"type\" validation failed: matches none of the enum values",
                errorMsg("upstreams", "{\"type\": \"random\", \"nodes\": {\"a:80\": 1}}"));
        assertEquals("invalid configuration: property \"retries\" validation failed: expected -1 to be at least 0",
                errorMsg("upstreams", "{\"retries\": -1, \"nodes\": {\"a:80\": 1}}"));
        assertEquals("invalid configuration: property \"nodes\" validation failed: object matches none of the required",
                errorMsg("upstreams", "{\"nodes\": {\"a:80\": -1}}"));
        assertEquals("invalid configuration: property \"scheme\" validation failed: matches none of the enum values",
                errorMsg("upstreams", "{\"nodes\": {\"a:80\": 1}, \"scheme\": \"ftp\"}"));
    }

    @Test
    void keepalivePoolDefaultsAreFilled() {
        SchemaResult result = SCHEMAS.schema("upstreams").validateAndApplyDefaults(
                json("{\"nodes\": {\"a:80\": 1}, \"keepalive_pool\": {\"size\": 8}}"));

        assertEquals(json("{\"size\": 8, \"idle_timeout\": 60, \"requests\": 1000}"),
                result.document().get("keepalive_pool"));
    }

    // -- services, plugin configs, global rules

    @Test
    void acceptsAServiceAndRejectsRouteOnlyFields() {
        assertEquals(List.of(), check("services", """
                {"name": "svc", "hosts": ["a.example.com"], "enable_websocket": true, "plugins": {"limit-count": {}},
                 "upstream": {"nodes": {"127.0.0.1:1980": 1}}}"""));
        assertEquals("invalid configuration: additional properties forbidden, found uri",
                errorMsg("services", "{\"uri\": \"/a\"}"));
    }

    @Test
    void pluginConfigsAndGlobalRulesNeedPlugins() {
        assertEquals("invalid configuration: property \"plugins\" is required",
                errorMsg("plugin_configs", "{\"desc\": \"x\"}"));
        assertEquals("invalid configuration: property \"plugins\" is required", errorMsg("global_rules", "{}"));
        assertEquals(List.of(), check("plugin_configs", "{\"plugins\": {}, \"labels\": {\"a\": \"b\"}}"));
        assertEquals(List.of(), check("global_rules", "{\"id\": 1, \"plugins\": {\"prometheus\": {}}}"));
        assertEquals("invalid configuration: property \"plugins\" validation failed: wrong type: expected object,"
                + " got table",
                errorMsg("global_rules", "{\"plugins\": []}"));
    }

    // -- fields held against APISIX 3.18's apisix/schema_def.lua, one by one

    @Test
    void namesDescsAndLabelValuesAreUpTo256CharactersAndThereIsNoLimitOnTheNumberOfLabels() {
        String n256 = "n".repeat(256);
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; i < 20; i++) {
            labels.append(i == 0 ? "" : ", ").append("\"k").append(i).append("\": \"").append(n256).append('"');
        }
        labels.append('}');
        for (String kind : List.of("routes", "services", "upstreams")) {
            String body = switch (kind) {
                case "routes" -> "\"uri\": \"/a\", \"upstream_id\": 1";
                case "services" -> "\"upstream_id\": 1";
                default -> "\"nodes\": {\"a:80\": 1}";
            };
            assertEquals(List.of(), check(kind, "{" + body + ", \"name\": \"" + n256 + "\", \"labels\": " + labels + "}"),
                    kind);
            assertEquals("invalid configuration: property \"name\" validation failed: string too long, expected at"
                    + " most 256, got 257", errorMsg(kind, "{" + body + ", \"name\": \"" + n256 + "n\"}"), kind);
        }
        assertEquals(List.of(), check("plugin_configs", "{\"plugins\": {}, \"labels\": " + labels + "}"));
        assertEquals("invalid configuration: property \"labels\" validation failed: failed to validate k (matching"
                + " \".*\"): string too long, expected at most 256, got 257",
                errorMsg("routes", "{\"uri\": \"/a\", \"upstream_id\": 1, \"labels\": {\"k\": \"" + n256 + "n\"}}"));
    }

    @Test
    void aPluginConfigMayHaveAName() {
        assertEquals(List.of(), check("plugin_configs", "{\"name\": \"any text, even long or empty\", \"plugins\": {}}"));
        assertEquals("invalid configuration: property \"name\" validation failed: wrong type: expected string,"
                + " got number", errorMsg("plugin_configs", "{\"name\": 1, \"plugins\": {}}"));
    }

    @Test
    void hostsFollowApisixsHostDefinitionStarAloneIpv6AndPortIncluded() {
        for (String host : List.of("*", "*.example.com", "example.com", "[::1]", "::1", "example.com:8080")) {
            assertEquals(List.of(), check("routes", "{\"uri\": \"/a\", \"upstream_id\": 1, \"hosts\": [\"" + host + "\"]}"),
                    host);
            assertEquals(List.of(), check("services", "{\"hosts\": [\"" + host + "\"]}"), host);
            assertEquals(List.of(), check("upstreams", "{\"nodes\": {\"a:80\": 1}, \"pass_host\": \"rewrite\","
                    + " \"upstream_host\": \"" + host + "\"}"), host);
        }
        assertEquals("invalid configuration: property \"host\" validation failed: failed to match pattern"
                + " \"^\\\\*$|^\\\\*?[0-9a-zA-Z-._\\\\[\\\\]:]+$\" with \"a b\"",
                errorMsg("routes", "{\"uri\": \"/a\", \"upstream_id\": 1, \"host\": \"a b\"}"));
    }

    @Test
    void anArrayNodeHostMayBeABareIpv6Address() {
        for (String host : List.of("::1", "fe80::1", "::ffff:10.0.0.1", "[::1]", "10.0.0.1", "a.internal")) {
            assertEquals(List.of(), check("upstreams",
                    "{\"nodes\": [{\"host\": \"" + host + "\", \"port\": 80, \"weight\": 1}]}"), host);
        }
        for (String host : List.of("10.0.0.1:80", "a:80", "a b")) {
            assertEquals(List.of("/nodes"), check("upstreams",
                    "{\"nodes\": [{\"host\": \"" + host + "\", \"port\": 80, \"weight\": 1}]}")
                    .stream().map(Violation::pointer).distinct().toList(), host);
        }
    }

    @Test
    void activeHealthChecksTakeAMethodAndARequestBody() {
        SchemaResult result = SCHEMAS.schema("upstreams").validateAndApplyDefaults(
                json("{\"nodes\": {\"a:80\": 1}, \"checks\": {\"active\": {\"http_path\": \"/health\"}}}"));
        assertEquals(List.of(), result.violations());
        assertEquals("GET", result.document().at("/checks/active/http_method").asText());
        assertEquals("", result.document().at("/checks/active/http_req_body").asText());
        assertEquals(List.of(), check("upstreams", """
                {"nodes": {"a:80": 1}, "checks": {"active": {"http_method": "POST", "http_req_body": "{}"}}}"""));
        assertEquals("invalid configuration: property \"checks\" validation failed: property \"active\" validation"
                + " failed: property \"http_method\" validation failed: matches none of the enum values",
                errorMsg("upstreams", """
                        {"nodes": {"a:80": 1}, "checks": {"active": {"http_method": "FETCH"}}}"""));
    }

    @Test
    void healthChecksTakeFieldsBesideActiveAndPassiveAsApisixDoes() {
        assertEquals(List.of(), check("upstreams", """
                {"nodes": {"a:80": 1}, "checks": {"active": {"http_path": "/h"}, "note": "from a newer APISIX"}}"""));
        assertEquals("invalid configuration: property \"checks\" validation failed: object matches none of the"
                + " required: [\"active\"] or [\"active\",\"passive\"]",
                errorMsg("upstreams", "{\"nodes\": {\"a:80\": 1}, \"checks\": {\"passive\": {}}}"));
    }

    @Test
    void upstreamTlsTakesAKeyOf64CharactersAndNotACertIdTogetherWithACertAndKey() {
        String cert = "c".repeat(128);
        String key = "k".repeat(64);
        assertEquals(List.of(), check("upstreams", "{\"nodes\": {\"a:80\": 1}, \"tls\": {\"client_cert\": \""
                + cert + "\", \"client_key\": \"" + key + "\"}}"));
        assertEquals(List.of("/tls"), check("upstreams", "{\"nodes\": {\"a:80\": 1}, \"tls\": {\"client_cert_id\": 1,"
                + " \"client_cert\": \"" + cert + "\", \"client_key\": \"" + key + "\"}}")
                .stream().map(Violation::pointer).distinct().toList());
        assertEquals(List.of(), check("upstreams", "{\"nodes\": {\"a:80\": 1}, \"tls\": {\"client_cert_id\": 1}}"));
    }

    @Test
    void serviceProtocolIsNoLongerARouteField() {
        assertEquals("invalid configuration: additional properties forbidden, found service_protocol",
                errorMsg("routes", "{\"uri\": \"/a\", \"upstream_id\": 1, \"service_protocol\": \"http\"}"));
    }

    @Test
    void timestampsAreIntegers() {
        for (String kind : List.of("routes", "services", "upstreams", "plugin_configs", "global_rules")) {
            String body = switch (kind) {
                case "routes" -> "\"uri\": \"/a\", \"upstream_id\": 1";
                case "upstreams" -> "\"nodes\": {\"a:80\": 1}";
                case "services" -> "\"upstream_id\": 1";
                default -> "\"plugins\": {}";
            };
            for (String field : List.of("create_time", "update_time")) {
                assertEquals("invalid configuration: property \"" + field + "\" validation failed: wrong type:"
                        + " expected integer, got string", errorMsg(kind, "{" + body + ", \"" + field + "\": \"yesterday\"}"),
                        kind);
            }
        }
    }

    // -- the registry itself

    @Test
    void servesOneSelfContainedSchemaPerKind() {
        assertEquals(Set.of("routes", "services", "upstreams", "plugin_configs", "global_rules", "consumers",
                "consumer_groups", "ssls"), SCHEMAS.kinds());
        for (String kind : SCHEMAS.kinds()) {
            JsonNode schema = json(SCHEMAS.json(kind));
            assertTrue(schema.isObject(), kind);
            assertFalse(SCHEMAS.json(kind).contains(".json"), kind + " still refers to another file");
        }
        assertEquals(json(SCHEMAS.json("upstreams")).get("properties"),
                json(SCHEMAS.json("routes")).at("/properties/upstream/properties"));
    }

    @Test
    void anUnknownKindIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SCHEMAS.schema("stream_routes"));

        assertTrue(e.getMessage().startsWith("kind: \"stream_routes\""), e.getMessage());
    }
}
