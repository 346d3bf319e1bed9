package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a config source outside the engine (etcd, say) relies on: loads, events, revisions. */
class ConfigSourceSpiTest {

    private final Engine engine = Engine.builder().plugin(new TestPlugins.Tracer("alpha", 3000)).build();

    @AfterEach
    void close() {
        engine.close();
    }

    private static Resource route(String id, String json, long created, long modified) {
        return new Resource(ResourceKind.ROUTES, id, json, created, modified);
    }

    private boolean matches(String uri) {
        Call call = engine.newCall(HttpRequest.builder().uri(uri).build());
        try {
            return call.matched();
        } finally {
            call.complete();
        }
    }

    @Test
    void aLoadKeepsTheStoresJsonAndRevisionsAsTheAdminApiIndexes() {
        String json = "{\"id\": \"1\", \"uri\": \"/a\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}, "
                + "\"create_time\": 1700000000, \"update_time\": 1700000005}";
        Map<String, ConfigException> rejected = engine.load(List.of(route("1", json, 7, 9)), 12);

        assertEquals(Map.of(), rejected);
        Resource stored = engine.get(ResourceKind.ROUTES, "1").orElseThrow();
        assertEquals(7, stored.createdIndex());
        assertEquals(9, stored.modifiedIndex());
        assertTrue(stored.json().contains("\"create_time\":1700000000"), stored.json());
        assertTrue(matches("/a"));
    }

    @Test
    void aLoadLeavesOutInvalidResourcesKeepingTheirLastGoodValueAndAppliesTheRest() {
        engine.load(List.of(route("1", "{\"uri\": \"/old\", \"upstream_id\": \"u\"}", 3, 3),
                new Resource(ResourceKind.UPSTREAMS, "u", "{\"nodes\": {\"127.0.0.1:1980\": 1}}", 2, 2)), 3);

        Map<String, ConfigException> rejected = engine.load(List.of(
                route("1", "{\"uri\": 7}", 3, 5),
                route("2", "not json", 6, 6),
                route("3", "{\"uri\": \"/new\", \"upstream_id\": \"u\"}", 7, 7),
                new Resource(ResourceKind.UPSTREAMS, "u", "{\"nodes\": {\"127.0.0.1:1980\": 1}}", 2, 2)), 8);

        assertEquals(List.of("/apisix/routes/1", "/apisix/routes/2"), List.copyOf(rejected.keySet()));
        assertTrue(rejected.get("/apisix/routes/1").errorMsg().contains("uri"), rejected.toString());
        assertTrue(matches("/old"), "route 1 keeps its last good value");
        assertTrue(matches("/new"));
        assertEquals(3, engine.get(ResourceKind.ROUTES, "1").orElseThrow().modifiedIndex());
    }

    @Test
    void referencesResolveWhateverOrderTheStoreListsResourcesIn() {
        Map<String, ConfigException> rejected = engine.load(List.of(
                route("1", "{\"uri\": \"/r\", \"service_id\": \"s\"}", 5, 5),
                new Resource(ResourceKind.SERVICES, "s", "{\"upstream_id\": \"u\"}", 4, 4),
                new Resource(ResourceKind.UPSTREAMS, "u", "{\"nodes\": {\"127.0.0.1:1980\": 1}}", 9, 9)), 9);

        assertEquals(Map.of(), rejected);
        assertTrue(matches("/r"));
    }

    @Test
    void anInvalidEventChangesNothingAndValidEventsAndDeletesApplyWithTheirRevisions() {
        engine.apply(route("1", "{\"uri\": \"/one\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}}", 4, 4));
        long version = engine.version();

        ConfigException e = assertThrows(ConfigException.class, () -> engine.apply(route("1", "{\"uri\": 7}", 4, 5)));
        assertEquals(400, e.status());
        assertEquals(version, engine.version());
        assertTrue(matches("/one"));

        engine.apply(route("1", "{\"uri\": \"/two\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}}", 4, 6));
        assertEquals(6, engine.get(ResourceKind.ROUTES, "1").orElseThrow().modifiedIndex());
        assertTrue(matches("/two"));

        engine.remove(ResourceKind.ROUTES, "1", 7);
        assertTrue(engine.get(ResourceKind.ROUTES, "1").isEmpty());
        assertTrue(!matches("/two"));
    }

    @Test
    void prepareValidatesAndStampsWithoutStoring() {
        Resource prepared = engine.prepare(ResourceKind.ROUTES, "9", "{\"uri\": \"/p\", \"upstream\": {\"nodes\": "
                + "{\"127.0.0.1:1980\": 1}}}");

        assertTrue(prepared.json().contains("\"id\":\"9\"") && prepared.json().contains("\"update_time\""),
                prepared.json());
        assertTrue(engine.get(ResourceKind.ROUTES, "9").isEmpty());
        assertThrows(ConfigException.class, () -> engine.prepare(ResourceKind.ROUTES, "9", "{\"uri\": 7}"));
    }

    @Test
    void theMemorySourceWritesStraightIntoTheEngine() {
        ConfigSource memory = ConfigSource.memory();
        memory.start(engine);

        Resource created = memory.create(ResourceKind.UPSTREAMS, "{\"nodes\": {\"127.0.0.1:1980\": 1}}");
        memory.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/m\", \"upstream_id\": \"" + created.id() + "\"}");
        assertTrue(matches("/m"));
        assertThrows(ConfigException.class, () -> memory.delete(ResourceKind.UPSTREAMS, created.id(), false));
        assertTrue(memory.delete(ResourceKind.ROUTES, "1", false).isPresent());
    }
}
