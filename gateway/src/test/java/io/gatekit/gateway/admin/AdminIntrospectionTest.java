package io.gatekit.gateway.admin;

import static io.gatekit.gateway.admin.AdminFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminIntrospectionTest {

    private static final String UPSTREAM = "{\"nodes\": {\"127.0.0.1:1980\": 1}, \"type\": \"roundrobin\"}";

    private final AdminFixture fixture = new AdminFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    // ---- plugins ----

    @Test
    void thePluginListNamesEveryPluginHighestPriorityFirst() {
        JsonNode list = json(fixture.call("GET", "/apisix/admin/plugins/list"), 200);

        assertEquals("[\"proxy-mirror\",\"stamp\",\"ext-plugin-post-resp\"]", list.toString());
    }

    @Test
    void theStreamPluginListIsEmptyBecauseGatekitPluginsAreHttpOnly() {
        assertEquals("[]", json(fixture.call("GET", "/apisix/admin/plugins/list?subsystem=stream"), 200).toString());
        assertEquals("invalid subsystem passed",
                json(fixture.call("GET", "/apisix/admin/plugins/list?subsystem=udp"), 400).get("error_msg").asText());
    }

    @Test
    void aPluginsSchemaIncludesTheInjectedMeta() {
        JsonNode schema = json(fixture.call("GET", "/apisix/admin/plugins/proxy-mirror"), 200);

        assertTrue(schema.at("/properties/_meta").isObject(), schema.toString());
        assertTrue(schema.at("/properties/host").isObject(), schema.toString());
        assertEquals("host", schema.at("/required/0").asText());
    }

    @Test
    void aPluginsMetadataSchemaIsServedOnRequest() {
        JsonNode metadata = json(fixture.call("GET", "/apisix/admin/plugins/stamp?schema_type=metadata"), 200);

        assertEquals("prefix", metadata.at("/required/0").asText());
        assertEquals("plugin proxy-mirror has no metadata_schema",
                json(fixture.call("GET", "/apisix/admin/plugins/proxy-mirror?schema_type=metadata"), 404)
                        .get("error_msg").asText());
    }

    @Test
    void anUnknownPluginOrTheStreamSubsystemIsNotFoundAsInApisix() {
        assertEquals("plugin not found in subsystem http",
                json(fixture.call("GET", "/apisix/admin/plugins/asdf"), 404).get("error_msg").asText());
        assertEquals("plugin not found in subsystem stream",
                json(fixture.call("GET", "/apisix/admin/plugins/stamp?subsystem=stream"), 404)
                        .get("error_msg").asText());
        assertEquals("unsupported subsystem: asdf",
                json(fixture.call("GET", "/apisix/admin/plugins/stamp?subsystem=asdf"), 400).get("error_msg").asText());
    }

    @Test
    void allPluginsAreDescribedWithPriorityVersionAndSchemas() {
        JsonNode all = json(fixture.call("GET", "/apisix/admin/plugins?all=true"), 200);

        assertEquals(1010, all.at("/proxy-mirror/priority").asInt());
        assertTrue(all.at("/proxy-mirror/schema/properties/_meta").isObject());
        assertTrue(all.at("/stamp/metadata_schema").isObject());
        assertFalse(all.get("proxy-mirror").has("metadata_schema"));
        assertEquals("not found plugin name",
                json(fixture.call("GET", "/apisix/admin/plugins"), 400).get("error_msg").asText());
    }

    @Test
    void reloadAnswersDoneAndSaysNothingWasReloaded() {
        JsonNode done = json(fixture.call("PUT", "/apisix/admin/plugins/reload"), 200);
        JsonNode wrongMethod = json(fixture.call("POST", "/apisix/admin/plugins/reload"), 405);

        assertEquals("done", done.get("message").asText());
        assertFalse(done.get("reloaded").asBoolean(true));
        assertEquals("please use PUT method to reload the plugins, POST method is not allowed.",
                wrongMethod.get("error_msg").asText());
    }

    @Test
    void pluginsAreReadOnly() {
        assertEquals("not supported `PUT` method for plugins",
                json(fixture.call("PUT", "/apisix/admin/plugins/stamp", "{}"), 405).get("error_msg").asText());
    }

    // ---- schema/validate ----

    @Test
    void aValidResourceValidatesWithAnEmptyOkAndIsNotStored() {
        AdminResponse ok = fixture.call("POST", "/apisix/admin/schema/validate/routes",
                "{\"uri\": \"/httpbin/*\", \"upstream\": " + UPSTREAM + "}");

        assertEquals(200, ok.status());
        assertEquals(0, ok.body().length);
        assertTrue(fixture.engine.list(ResourceKind.ROUTES).isEmpty());
    }

    @Test
    void anInvalidResourceFailsValidationWithApisixsSchemaTextAndEveryViolation() {
        JsonNode error = json(fixture.call("POST", "/apisix/admin/schema/validate/routes",
                "{\"uri\": 1980, \"upstream\": " + UPSTREAM + "}"), 400);

        assertEquals("property \"uri\" validation failed: wrong type: expected string, got number",
                error.get("error_msg").asText());
        assertEquals("/uri", error.at("/violations/0/pointer").asText());
        assertEquals("type", error.at("/violations/0/keyword").asText());
    }

    @Test
    void aPluginProblemFoundByValidationNamesThePlugin() {
        JsonNode error = json(fixture.call("POST", "/apisix/admin/schema/validate/routes", """
                {"uri": "/a", "upstream": %s, "plugins": {"proxy-mirror": {"host": "ftp://x"},
                 "stamp": {}}}""".formatted(UPSTREAM)), 400);

        assertTrue(error.get("error_msg").asText()
                .startsWith("failed to check the configuration of plugin proxy-mirror err: "), error.toString());
        List<String> pointers = new ArrayList<>();
        error.get("violations").forEach(v -> pointers.add(v.get("pointer").asText()));
        assertTrue(pointers.contains("/plugins/proxy-mirror/host"), pointers.toString());
        assertTrue(pointers.stream().anyMatch(p -> p.startsWith("/plugins/stamp")), pointers.toString());
    }

    @Test
    void validationOfAnUnknownResourceTypeIsNotFound() {
        assertEquals("Unsupported resource type: stream_routes",
                json(fixture.call("POST", "/apisix/admin/schema/validate/stream_routes", "{}"), 404)
                        .get("error_msg").asText());
        assertEquals(405, fixture.call("GET", "/apisix/admin/schema/validate/routes").status());
    }

    @Test
    void theDryRunMessageKeepsTheFirstLineAndNamesThePlugin() {
        assertEquals("failed to check the configuration of plugin a/b err: bad",
                SchemaEndpoint.dryRunMessage(new Violation("/plugins/a~1b/x", "type", "bad\nbranch 1: ...")));
        assertEquals("unknown plugin [x]", SchemaEndpoint.dryRunMessage(new Violation("/plugins/x", "unknownPlugin",
                "unknown plugin [x]")));
    }

    // ---- explain ----

    @Test
    void explainShowsTheMatchedRouteAndEachPhasesPluginsInOrderWithOrigins() {
        json(fixture.call("PUT", "/apisix/admin/global_rules/g1",
                "{\"plugins\": {\"stamp\": {\"value\": \"global\"}}}"), 201);
        json(fixture.call("PUT", "/apisix/admin/routes/1", """
                {"uri": "/hello", "upstream": %s,
                 "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:9797",
                                              "_meta": {"filter": [["http_x_api_version", "==", "v2"]]}},
                             "ext-plugin-post-resp": {"_meta": {"disable": true}}}}""".formatted(UPSTREAM)), 201);

        JsonNode v2 = json(fixture.call("GET",
                "/apisix/admin/explain?uri=/hello&host=example.com&header=X-Api-Version:v2&remote_addr=1.2.3.4"), 200);
        JsonNode v1 = json(fixture.call("POST", "/apisix/admin/explain",
                "{\"uri\": \"/hello\", \"headers\": {\"X-Api-Version\": [\"v1\"]}}"), 200);

        assertTrue(v2.get("matched").asBoolean());
        assertEquals("1", v2.get("route_id").asText());
        assertEquals(fixture.engine.version(), v2.get("snapshot_version").asLong());
        assertEquals("1.2.3.4", v2.at("/request/remote_addr").asText());
        assertEquals("example.com", v2.at("/request/host").asText());
        JsonNode rewrite = v2.at("/phases/rewrite/0");
        assertEquals("stamp", rewrite.get("name").asText());
        assertEquals("global_rule", rewrite.get("origin").asText());
        assertEquals("g1", rewrite.get("origin_id").asText());
        assertEquals(100, rewrite.get("priority").asInt());
        JsonNode mirror = v2.at("/phases/access/0");
        assertEquals("proxy-mirror", mirror.get("name").asText());
        assertEquals("[[\"http_x_api_version\",\"==\",\"v2\"]]", mirror.get("filter").toString());
        assertTrue(mirror.get("filter_matches").asBoolean());
        assertFalse(v1.at("/phases/access/0/filter_matches").asBoolean(true));
        assertEquals(List.of("rewrite", "access", "before_proxy", "header_filter", "body_filter", "log"),
                fieldNames(v2.get("phases")));
        JsonNode skipped = v2.at("/skipped/0");
        assertEquals("ext-plugin-post-resp", skipped.get("name").asText());
        assertFalse(skipped.get("reason").asText().isEmpty());
    }

    @Test
    void explainOfAnUnmatchedRequestSaysSo() {
        JsonNode none = json(fixture.call("GET", "/apisix/admin/explain?uri=/nowhere&method=POST"), 200);

        assertFalse(none.get("matched").asBoolean());
        assertTrue(none.get("route_id").isNull());
        assertEquals("POST", none.at("/request/method").asText());
    }

    @Test
    void explainNeedsAUriAndAnAddressLiteral() {
        assertEquals("missing argument uri",
                json(fixture.call("GET", "/apisix/admin/explain"), 400).get("error_msg").asText());
        assertEquals("invalid argument remote_addr: example.com",
                json(fixture.call("GET", "/apisix/admin/explain?uri=/a&remote_addr=example.com"), 400)
                        .get("error_msg").asText());
        assertEquals("invalid argument header: novalue",
                json(fixture.call("GET", "/apisix/admin/explain?uri=/a&header=novalue"), 400)
                        .get("error_msg").asText());
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
