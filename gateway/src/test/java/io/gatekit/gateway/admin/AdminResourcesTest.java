package io.gatekit.gateway.admin;

import static io.gatekit.gateway.admin.AdminFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.ResourceKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminResourcesTest {

    /** The body of the proxy-mirror seed's "enable" curl, verbatim. */
    private static final String SEED_MIRROR_ON = """

            {
                "plugins": {
                    "proxy-mirror": {
                       "host": "http://127.0.0.1:9797"
                    }
                },
                "upstream": {
                    "nodes": {
                        "127.0.0.1:1999": 1
                    },
                    "type": "roundrobin"
                },
                "uri": "/hello"
            }""";

    /** The body of the proxy-mirror seed's "disable" curl, verbatim. */
    private static final String SEED_MIRROR_OFF = """

            {
                "uri": "/hello",
                "plugins": {},
                "upstream": {
                    "type": "roundrobin",
                    "nodes": {
                        "127.0.0.1:1999": 1
                    }
                }
            }""";

    /** The body of the ext-plugin-post-resp seed's "enable" curl, verbatim. */
    private static final String SEED_POST_RESP_ON = """

            {
                "uri": "/index.html",
                "plugins": {
                    "ext-plugin-post-resp": {
                        "conf" : [
                            {"name": "ext-plugin-A", "value": "{\\"enable\\":\\"feature\\"}"}
                        ]
                    }
                },
                "upstream": {
                    "type": "roundrobin",
                    "nodes": {
                        "127.0.0.1:1980": 1
                    }
                }
            }""";

    /** The body of the ext-plugin-post-resp seed's "disable" curl: the route without any plugins. */
    private static final String SEED_POST_RESP_OFF = """

            {
                "uri": "/index.html",
                "upstream": {
                    "type": "roundrobin",
                    "nodes": {
                        "127.0.0.1:1980": 1
                    }
                }
            }""";

    private static final String UPSTREAM = "{\"nodes\": {\"127.0.0.1:1980\": 1}, \"type\": \"roundrobin\"}";

    private final AdminFixture fixture = new AdminFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static String route(String uri) {
        return "{\"uri\": \"" + uri + "\", \"upstream\": " + UPSTREAM + "}";
    }

    // ---- the seeds ----

    @Test
    void theProxyMirrorSeedCreatesThenReplacesThenDisablesThenDeletesRouteOne() {
        JsonNode created = json(fixture.call("PUT", "/apisix/admin/routes/1", SEED_MIRROR_ON), 201);
        assertEquals("/apisix/routes/1", created.get("key").asText());
        assertEquals("http://127.0.0.1:9797", created.at("/value/plugins/proxy-mirror/host").asText());
        assertEquals("1", created.at("/value/id").asText());
        assertTrue(created.at("/value/create_time").isNumber());
        assertTrue(created.at("/value/update_time").isNumber());

        JsonNode replaced = json(fixture.call("PUT", "/apisix/admin/routes/1", SEED_MIRROR_ON), 200);
        assertEquals(created.get("createdIndex"), replaced.get("createdIndex"));
        assertTrue(replaced.get("modifiedIndex").asLong() > created.get("modifiedIndex").asLong());

        JsonNode got = json(fixture.call("GET", "/apisix/admin/routes/1"), 200);
        assertEquals("/hello", got.at("/value/uri").asText());
        assertEquals(replaced.get("modifiedIndex"), got.get("modifiedIndex"));

        JsonNode disabled = json(fixture.call("PUT", "/apisix/admin/routes/1", SEED_MIRROR_OFF), 200);
        assertEquals(0, disabled.at("/value/plugins").size());
        JsonNode explained = json(fixture.call("GET", "/apisix/admin/explain?uri=/hello"), 200);
        assertEquals("1", explained.get("route_id").asText());
        assertEquals(0, explained.at("/phases/access").size(), explained.toString());

        JsonNode deleted = json(fixture.call("DELETE", "/apisix/admin/routes/1"), 200);
        assertEquals("1", deleted.get("deleted").asText());
        assertEquals("/apisix/routes/1", deleted.get("key").asText());
        JsonNode gone = json(fixture.call("GET", "/apisix/admin/routes/1"), 404);
        assertEquals("{\"message\":\"Key not found\"}", gone.toString());
    }

    @Test
    void theProxyMirrorSeedsRouteRunsTheMirrorInAccessUntilDisabled() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", SEED_MIRROR_ON), 201);

        JsonNode access = json(fixture.call("GET", "/apisix/admin/explain?uri=/hello"), 200).at("/phases/access");
        assertEquals(1, access.size());
        assertEquals("proxy-mirror", access.get(0).get("name").asText());
        assertEquals("route", access.get(0).get("origin").asText());
        assertEquals("1", access.get(0).get("origin_id").asText());
    }

    @Test
    void theExtPluginPostRespSeedEnablesThenRemovesThePluginByPuttingTheRouteWithoutIt() {
        JsonNode enabled = json(fixture.call("PUT", "/apisix/admin/routes/1", SEED_POST_RESP_ON), 201);
        assertEquals("ext-plugin-A", enabled.at("/value/plugins/ext-plugin-post-resp/conf/0/name").asText());
        assertEquals("{\"enable\":\"feature\"}",
                enabled.at("/value/plugins/ext-plugin-post-resp/conf/0/value").asText());

        JsonNode disabled = json(fixture.call("PUT", "/apisix/admin/routes/1", SEED_POST_RESP_OFF), 200);
        assertFalse(disabled.get("value").has("plugins"), disabled.toString());
        JsonNode explained = json(fixture.call("GET", "/apisix/admin/explain?uri=/index.html"), 200);
        assertEquals(0, explained.at("/phases/before_proxy").size(), explained.toString());
    }

    // ---- PUT ----

    @Test
    void putWithTheIdOnlyInTheBodyCreatesThatId() {
        JsonNode created = json(fixture.call("PUT", "/apisix/admin/routes",
                "{\"id\": \"r2\", \"uri\": \"/r2\", \"upstream\": " + UPSTREAM + "}"), 201);

        assertEquals("/apisix/routes/r2", created.get("key").asText());
        assertTrue(fixture.engine.get(ResourceKind.ROUTES, "r2").isPresent());
    }

    @Test
    void putWithANumericBodyIdEqualToThePathIdIsAccepted() {
        json(fixture.call("PUT", "/apisix/admin/routes/7", "{\"id\": 7, \"uri\": \"/7\", \"upstream\": "
                + UPSTREAM + "}"), 201);
    }

    @Test
    void putWithoutAnyIdIsRefusedAsApisixDoes() {
        JsonNode error = json(fixture.call("PUT", "/apisix/admin/routes", route("/x")), 400);

        assertEquals("missing route id", error.get("error_msg").asText());
        assertEquals("/id", error.at("/violations/0/pointer").asText());
    }

    @Test
    void putWhoseBodyIdDiffersFromThePathIdIsRefusedWithTheKindInTheMessage() {
        JsonNode route = json(fixture.call("PUT", "/apisix/admin/routes/1",
                "{\"id\": \"2\", \"uri\": \"/x\", \"upstream\": " + UPSTREAM + "}"), 400);
        JsonNode service = json(fixture.call("PUT", "/apisix/admin/services/1",
                "{\"id\": \"2\", \"upstream\": " + UPSTREAM + "}"), 400);

        assertEquals("wrong route id", route.get("error_msg").asText());
        assertEquals("wrong service id", service.get("error_msg").asText());
        assertEquals("const", route.at("/violations/0/keyword").asText());
        assertTrue(fixture.engine.list(ResourceKind.ROUTES).isEmpty());
    }

    @Test
    void putWithoutABodyIsRefusedWithApisixsText() {
        JsonNode error = json(fixture.call("PUT", "/apisix/admin/routes/1", ""), 400);

        assertEquals("missing configurations", error.get("error_msg").asText());
        assertEquals(1, error.get("violations").size());
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedAsAnInvalidRequestBody() {
        JsonNode error = json(fixture.call("PUT", "/apisix/admin/routes/1", "{\"uri\": "), 400);

        assertTrue(error.get("error_msg").asText().startsWith("invalid request body: "), error.toString());
        assertEquals("json", error.at("/violations/0/keyword").asText());
    }

    @Test
    void anInvalidRouteListsEveryViolationBesidesApisixsFirstMessage() {
        JsonNode error = json(fixture.call("PUT", "/apisix/admin/routes/1", """
                {"uri": "/x", "upstream": %s,
                 "plugins": {"proxy-mirror": {"host": "ftp://nope/", "sample_ratio": 5},
                             "stamp": {"value": ""}}}""".formatted(UPSTREAM)), 400);

        assertTrue(error.get("error_msg").asText()
                .startsWith("failed to check the configuration of plugin proxy-mirror err: "), error.toString());
        List<String> pointers = new ArrayList<>();
        error.get("violations").forEach(v -> pointers.add(v.get("pointer").asText()));
        assertTrue(pointers.contains("/plugins/proxy-mirror/host"), pointers.toString());
        assertTrue(pointers.contains("/plugins/proxy-mirror/sample_ratio"), pointers.toString());
        assertTrue(pointers.contains("/plugins/stamp/value"), pointers.toString());
        error.get("violations").forEach(v -> {
            assertFalse(v.get("keyword").asText().isEmpty());
            assertFalse(v.get("message").asText().isEmpty());
        });
        assertTrue(fixture.engine.get(ResourceKind.ROUTES, "1").isEmpty());
    }

    @Test
    void anUnknownPluginIsRefusedWithApisixsText() {
        JsonNode error = json(fixture.call("PUT", "/apisix/admin/routes/1",
                "{\"uri\": \"/x\", \"plugins\": {\"no-such\": {}}, \"upstream\": " + UPSTREAM + "}"), 400);

        assertEquals("unknown plugin [no-such]", error.get("error_msg").asText());
    }

    @Test
    void createTimeAndUpdateTimeInTheBodyAreIgnoredInFavourOfTheEnginesOwn() {
        JsonNode created = json(fixture.call("PUT", "/apisix/admin/routes/1",
                "{\"uri\": \"/x\", \"create_time\": 1, \"update_time\": 2, \"upstream\": " + UPSTREAM + "}"), 201);

        assertTrue(created.at("/value/create_time").asLong() > 1_600_000_000L, created.toString());
        assertTrue(created.at("/value/update_time").asLong() > 1_600_000_000L, created.toString());
    }

    @Test
    void aTtlIsRefusedBecauseResourcesNeverExpire() {
        JsonNode error = json(fixture.call("PUT", "/apisix/admin/routes/1?ttl=60", route("/x")), 400);

        assertTrue(error.get("error_msg").asText().startsWith("invalid argument ttl"), error.toString());
        assertTrue(fixture.engine.get(ResourceKind.ROUTES, "1").isEmpty());
    }

    @Test
    void pluginMetadataIsPutUnderThePluginNameAndCheckedAgainstItsMetadataSchema() {
        JsonNode stored = json(fixture.call("PUT", "/apisix/admin/plugin_metadata/stamp", "{\"prefix\": \"p-\"}"), 201);
        JsonNode invalid = json(fixture.call("PUT", "/apisix/admin/plugin_metadata/stamp", "{\"prefix\": 1}"), 400);
        JsonNode unknown = json(fixture.call("PUT", "/apisix/admin/plugin_metadata/nope", "{}"), 400);

        assertEquals("/apisix/plugin_metadata/stamp", stored.get("key").asText());
        assertTrue(invalid.has("violations"), invalid.toString());
        assertEquals("invalid plugin name", unknown.get("error_msg").asText());
    }

    // ---- POST ----

    @Test
    void postCreatesUnderAGeneratedIdThatGetFinds() {
        JsonNode created = json(fixture.call("POST", "/apisix/admin/routes", route("/generated")), 201);

        String id = created.at("/value/id").asText();
        assertFalse(id.isEmpty());
        assertEquals("/apisix/routes/" + id, created.get("key").asText());
        assertEquals("/generated", json(fixture.call("GET", "/apisix/admin/routes/" + id), 200)
                .at("/value/uri").asText());
    }

    @Test
    void postWithAnIdIsRefusedAsApisixDoes() {
        JsonNode inPath = json(fixture.call("POST", "/apisix/admin/routes/1", route("/x")), 400);
        JsonNode inBody = json(fixture.call("POST", "/apisix/admin/upstreams",
                "{\"id\": \"u\", \"nodes\": {\"127.0.0.1:1980\": 1}}"), 400);

        assertEquals("wrong route id, do not need it", inPath.get("error_msg").asText());
        assertEquals("wrong upstream id, do not need it", inBody.get("error_msg").asText());
    }

    @Test
    void postToResourcesWithoutGeneratedIdsIsNotSupported() {
        JsonNode rules = json(fixture.call("POST", "/apisix/admin/global_rules", "{\"plugins\": {}}"), 405);
        JsonNode configs = json(fixture.call("POST", "/apisix/admin/plugin_configs", "{\"plugins\": {}}"), 405);
        JsonNode metadata = json(fixture.call("POST", "/apisix/admin/plugin_metadata", "{}"), 405);

        assertEquals("not supported `POST` method for global rule", rules.get("error_msg").asText());
        assertEquals("not supported `POST` method for plugin config", configs.get("error_msg").asText());
        assertEquals("not supported `POST` method for plugin_metadata", metadata.get("error_msg").asText());
    }

    // ---- PATCH ----

    @Test
    void patchMergesObjectsDeletesNullsAndReplacesArrays() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", """
                {"uri": "/a", "name": "old", "methods": ["GET", "POST"], "upstream": %s,
                 "plugins": {"stamp": {"value": "v1", "tags": ["a", "b"]}}}""".formatted(UPSTREAM)), 201);

        JsonNode patched = json(fixture.call("PATCH", "/apisix/admin/routes/1", """
                {"name": null, "methods": ["PUT"],
                 "plugins": {"stamp": {"tags": ["c"]}, "proxy-mirror": {"host": "http://127.0.0.1:9797"}}}"""),
                200).get("value");

        assertFalse(patched.has("name"), patched.toString());
        assertEquals("[\"PUT\"]", patched.get("methods").toString());
        assertEquals("v1", patched.at("/plugins/stamp/value").asText());
        assertEquals("[\"c\"]", patched.at("/plugins/stamp/tags").toString());
        assertEquals("http://127.0.0.1:9797", patched.at("/plugins/proxy-mirror/host").asText());
        assertEquals("/a", patched.get("uri").asText());
        assertEquals("1", patched.get("id").asText());
    }

    @Test
    void patchOfASubPathReplacesOnlyThatSubTree() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", """
                {"uri": "/a", "upstream": %s,
                 "plugins": {"stamp": {"value": "v1"}}}""".formatted(UPSTREAM)), 201);

        JsonNode uri = json(fixture.call("PATCH", "/apisix/admin/routes/1/uri", "\"/b\""), 200).get("value");
        JsonNode plugins = json(fixture.call("PATCH", "/apisix/admin/routes/1/plugins",
                "{\"proxy-mirror\": {\"host\": \"http://127.0.0.1:9797\"}}"), 200).get("value");

        assertEquals("/b", uri.get("uri").asText());
        assertEquals(List.of("proxy-mirror"), fieldNames(plugins.get("plugins")));
        assertEquals("/b", plugins.get("uri").asText());
    }

    @Test
    void patchOfASubPathCreatesMissingObjectsOnTheWay() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", route("/a")), 201);

        JsonNode value = json(fixture.call("PATCH", "/apisix/admin/routes/1/plugins/stamp/value", "\"deep\""), 200)
                .get("value");

        assertEquals("deep", value.at("/plugins/stamp/value").asText());
    }

    @Test
    void patchOfASubPathThroughAScalarIsRefused() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", route("/a")), 201);

        JsonNode error = json(fixture.call("PATCH", "/apisix/admin/routes/1/uri/x", "\"/b\""), 400);

        assertEquals("invalid sub-path: /uri", error.get("error_msg").asText());
    }

    @Test
    void patchThatLeavesAnInvalidRouteIsRefusedAndChangesNothing() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", route("/a")), 201);

        JsonNode error = json(fixture.call("PATCH", "/apisix/admin/routes/1", "{\"uri\": 5}"), 400);

        assertTrue(error.get("error_msg").asText().startsWith("invalid configuration: "), error.toString());
        assertEquals("/a", json(fixture.call("GET", "/apisix/admin/routes/1"), 200).at("/value/uri").asText());
    }

    @Test
    void patchErrorsUseApisixsTexts() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", route("/a")), 201);

        assertEquals("missing new configuration",
                json(fixture.call("PATCH", "/apisix/admin/routes/1", ""), 400).get("error_msg").asText());
        assertEquals("invalid configuration",
                json(fixture.call("PATCH", "/apisix/admin/routes/1", "[1]"), 400).get("error_msg").asText());
        assertEquals("missing route id",
                json(fixture.call("PATCH", "/apisix/admin/routes", "{}"), 400).get("error_msg").asText());
        assertEquals("wrong route id",
                json(fixture.call("PATCH", "/apisix/admin/routes/1", "{\"id\": \"9\"}"), 400)
                        .get("error_msg").asText());
        assertEquals("{\"message\":\"Key not found\"}",
                json(fixture.call("PATCH", "/apisix/admin/routes/404", "{}"), 404).toString());
        assertEquals("not supported `PATCH` method for plugin_metadata",
                json(fixture.call("PATCH", "/apisix/admin/plugin_metadata/stamp", "{}"), 405)
                        .get("error_msg").asText());
    }

    // ---- DELETE ----

    @Test
    void deleteOfAReferencedUpstreamIsRefusedUnlessForced() {
        json(fixture.call("PUT", "/apisix/admin/upstreams/u1", UPSTREAM), 201);
        json(fixture.call("PUT", "/apisix/admin/routes/1", "{\"uri\": \"/a\", \"upstream_id\": \"u1\"}"), 201);

        JsonNode refused = json(fixture.call("DELETE", "/apisix/admin/upstreams/u1"), 400);
        assertEquals("can not delete this upstream, route [1] is still using it now",
                refused.get("error_msg").asText());
        assertTrue(refused.get("violations").size() > 0);
        assertTrue(fixture.engine.get(ResourceKind.UPSTREAMS, "u1").isPresent());

        JsonNode forced = json(fixture.call("DELETE", "/apisix/admin/upstreams/u1?force=true"), 200);
        assertEquals("/apisix/upstreams/u1", forced.get("key").asText());
        assertTrue(fixture.engine.get(ResourceKind.UPSTREAMS, "u1").isEmpty());
    }

    @Test
    void deleteOfAMissingResourceIsKeyNotFound() {
        assertEquals("{\"message\":\"Key not found\"}",
                json(fixture.call("DELETE", "/apisix/admin/routes/nope"), 404).toString());
        assertEquals("missing route id",
                json(fixture.call("DELETE", "/apisix/admin/routes"), 400).get("error_msg").asText());
    }

    // ---- GET ----

    @Test
    void listCountsAllAndPagesInCreationOrder() {
        for (int i = 1; i <= 12; i++) {
            json(fixture.call("PUT", "/apisix/admin/routes/r" + i, route("/r" + i)), 201);
        }
        json(fixture.call("PUT", "/apisix/admin/routes/r1", route("/r1-again")), 200);

        JsonNode all = json(fixture.call("GET", "/apisix/admin/routes"), 200);
        JsonNode second = json(fixture.call("GET", "/apisix/admin/routes?page=2&page_size=10"), 200);
        JsonNode first = json(fixture.call("GET", "/apisix/admin/routes/?page=0&page_size=10"), 200);

        assertEquals(12, all.get("total").asInt());
        assertEquals(12, all.get("list").size());
        assertEquals(12, second.get("total").asInt());
        assertEquals(2, second.get("list").size());
        assertEquals("/apisix/routes/r11", second.at("/list/0/key").asText());
        assertEquals("/apisix/routes/r12", second.at("/list/1/key").asText());
        assertEquals(10, first.get("list").size());
        assertEquals("/r1-again", first.at("/list/0/value/uri").asText());
        JsonNode item = first.at("/list/0");
        assertTrue(item.has("createdIndex") && item.has("modifiedIndex"), item.toString());
    }

    @Test
    void aPageSizeOutsideTenToFiveHundredIsRefused() {
        JsonNode error = json(fixture.call("GET", "/apisix/admin/routes?page=1&page_size=2"), 400);

        assertEquals("page_size must be between 10 and 500", error.get("error_msg").asText());
    }

    @Test
    void listFiltersByNameLabelAndUriTogether() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", """
                {"uri": "/api/orders", "name": "orders-v1", "labels": {"team": "a"}, "upstream": %s}"""
                .formatted(UPSTREAM)), 201);
        json(fixture.call("PUT", "/apisix/admin/routes/2", """
                {"uris": ["/web", "/api/users"], "name": "users", "labels": {"team": "b"}, "upstream": %s}"""
                .formatted(UPSTREAM)), 201);
        json(fixture.call("PUT", "/apisix/admin/routes/3", "{\"uri\": \"/api/x\", \"upstream\": " + UPSTREAM + "}"),
                201);

        JsonNode byName = json(fixture.call("GET", "/apisix/admin/routes?name=^orders"), 200);
        JsonNode byLabel = json(fixture.call("GET", "/apisix/admin/routes?label=team"), 200);
        JsonNode byUri = json(fixture.call("GET", "/apisix/admin/routes?uri=users"), 200);
        JsonNode both = json(fixture.call("GET", "/apisix/admin/routes?uri=%5E/api&label=team"), 200);

        assertEquals(List.of("1"), ids(byName));
        assertEquals(List.of("1", "2"), ids(byLabel));
        assertEquals(List.of("2"), ids(byUri));
        assertEquals(List.of("1", "2"), ids(both));
        assertEquals(2, both.get("total").asInt());
    }

    @Test
    void anEmptyListHasTotalZero() {
        assertEquals("{\"total\":0,\"list\":[]}", json(fixture.call("GET", "/apisix/admin/services"), 200).toString());
    }

    // ---- routing ----

    @Test
    void anUnknownResourceTypeIsNotFound() {
        assertEquals("Unsupported resource type: stream_routes",
                json(fixture.call("GET", "/apisix/admin/stream_routes"), 404).get("error_msg").asText());
    }

    @Test
    void aMethodNoResourceHasIsNotAllowed() {
        assertEquals("not supported `OPTIONS` method for route",
                json(fixture.call("OPTIONS", "/apisix/admin/routes/1"), 405).get("error_msg").asText());
    }

    @Test
    void aSubPathOutsidePatchIsNotFoundRatherThanReplacingTheWholeResource() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", route("/a")), 201);

        json(fixture.call("PUT", "/apisix/admin/routes/1/plugins", "{}"), 404);

        assertEquals("/a", json(fixture.call("GET", "/apisix/admin/routes/1"), 200).at("/value/uri").asText());
    }

    @Test
    void everyResponseCarriesTheV3ApiVersionHeader() {
        assertEquals("v3", fixture.call("GET", "/apisix/admin/routes").headers().get("X-API-VERSION"));
        assertEquals("v3", fixture.call("GET", "/apisix/admin/routes/none").headers().get("X-API-VERSION"));
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.get("list").forEach(item -> ids.add(item.at("/value/id").asText()));
        return ids;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
