package io.gatekit.config.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The etcd source against a real etcd, with an engine and no gateway. */
@Tag("process") // starts a runner or etcd: -DexcludedGroups=process skips it
class EtcdConfigSourceTest {

    private static final String UPSTREAM = "{\"nodes\": {\"127.0.0.1:1980\": 1}}";

    @TempDir
    static Path dir;
    private static EtcdServer etcd;
    private static Client client;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdServer.start(dir);
        client = Client.builder().endpoints(etcd.url()).build();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (client != null) {
            client.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private static EtcdConfigSource source(String prefix) {
        return EtcdConfigSource.builder().endpoints(List.of(URI.create(etcd.url()))).prefix(prefix)
                // generous: what these tests check is the source's behaviour, not etcd's speed on a
                // loaded machine (the timeout itself has its own test, against a closed port)
                .timeout(Duration.ofSeconds(20)).build();
    }

    private static void put(String key, String value) throws Exception {
        client.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8),
                ByteSequence.from(value, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    }

    private static KeyValue get(String key) throws Exception {
        return client.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS)
                .getKvs().get(0);
    }

    @Test
    void resourcesLoadWithTheirRevisionsAndKeysOutsideTheLayoutAreIgnored() throws Exception {
        put("/layout/upstreams/u1", UPSTREAM);
        put("/layout/services/s1", "{\"upstream_id\": \"u1\"}");
        put("/layout/routes/1", "{\"id\": \"1\", \"uri\": \"/a\", \"service_id\": \"s1\"}");
        put("/layout/routes/", "init_dir");
        put("/layout/routes/1/extra", "{}");
        put("/layout/stream_routes/9", "{\"id\": \"9\"}");
        put("/layout/gen_id", "7");
        put("/layoutx/routes/2", "{\"uri\": \"/not-under-the-prefix\"}");

        try (Engine engine = Engine.builder().build(); EtcdConfigSource source = source("/layout")) {
            source.start(engine);

            assertEquals(List.of("1"), engine.list(ResourceKind.ROUTES).stream().map(Resource::id).toList());
            assertEquals(1, engine.list(ResourceKind.SERVICES).size());
            assertEquals(1, engine.list(ResourceKind.UPSTREAMS).size());
            Resource route = engine.get(ResourceKind.ROUTES, "1").orElseThrow();
            KeyValue kv = get("/layout/routes/1");
            assertEquals(kv.getCreateRevision(), route.createdIndex());
            assertEquals(kv.getModRevision(), route.modifiedIndex());
            assertTrue(source.revision() >= kv.getModRevision());
        }
    }

    @Test
    void consumersAndConsumerGroupsLoadFromApisixsKeys() throws Exception {
        put("/people/consumer_groups/company", "{\"id\": \"company\", \"plugins\": {}}");
        put("/people/consumers/jack", "{\"username\": \"jack\", \"group_id\": \"company\"}");

        try (Engine engine = Engine.builder().build(); EtcdConfigSource source = source("/people")) {
            source.start(engine);

            assertEquals(List.of("jack"), engine.list(ResourceKind.CONSUMERS).stream().map(Resource::id).toList());
            assertEquals(List.of("company"),
                    engine.list(ResourceKind.CONSUMER_GROUPS).stream().map(Resource::id).toList());
            Resource rose = source.put(ResourceKind.CONSUMERS, "rose", "{\"username\": \"rose\"}");
            assertEquals("/people/consumers/rose", new String(get("/people/consumers/rose").getKey().getBytes(),
                    StandardCharsets.UTF_8));
            assertEquals(rose, engine.get(ResourceKind.CONSUMERS, "rose").orElseThrow());
        }
    }

    @Test
    void writesAreValidatedFirstAndReadableFromTheEngineOnceTheyReturn() throws Exception {
        try (Engine engine = Engine.builder().build(); EtcdConfigSource source = source("/writes")) {
            source.start(engine);

            Resource upstream = source.put(ResourceKind.UPSTREAMS, "u1", UPSTREAM);
            assertEquals(upstream, engine.get(ResourceKind.UPSTREAMS, "u1").orElseThrow());
            assertEquals(get("/writes/upstreams/u1").getModRevision(), upstream.modifiedIndex());

            ConfigException refused = assertThrows(ConfigException.class,
                    () -> source.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"upstream_id\": \"missing\"}"));
            assertEquals(400, refused.status());
            assertEquals(0, client.getKVClient().get(ByteSequence.from("/writes/routes/1", StandardCharsets.UTF_8))
                    .get(5, TimeUnit.SECONDS).getCount());

            source.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/a\", \"upstream_id\": \"u1\"}");
            ConfigException inUse = assertThrows(ConfigException.class,
                    () -> source.delete(ResourceKind.UPSTREAMS, "u1", false));
            assertTrue(inUse.errorMsg().contains("route [1]"), inUse.errorMsg());
            assertTrue(source.delete(ResourceKind.ROUTES, "1", false).isPresent());
            assertTrue(engine.get(ResourceKind.ROUTES, "1").isEmpty());
            assertTrue(source.delete(ResourceKind.ROUTES, "1", false).isEmpty());
        }
    }

    @Test
    void startFailsNamingEtcdWhenItDoesNotAnswer() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        EtcdConfigSource source = EtcdConfigSource.builder()
                .endpoints(List.of(URI.create("http://127.0.0.1:" + closedPort))).timeout(Duration.ofMillis(500))
                .build();
        try (Engine engine = Engine.builder().build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> source.start(engine));
            assertTrue(e.getMessage().startsWith("cannot load the config from etcd at [http://127.0.0.1:" + closedPort
                    + "] under /apisix: "), e.getMessage());
        }
    }

    @Test
    void theBuilderRefusesBadSettingsNamingThem() {
        EtcdConfigSource.Builder builder = EtcdConfigSource.builder();
        assertEquals("endpoints: tcp://127.0.0.1:2379 (expected: an http(s) URL with a host and port, e.g. "
                + "http://127.0.0.1:2379)", assertThrows(IllegalArgumentException.class,
                        () -> builder.endpoints(List.of(URI.create("tcp://127.0.0.1:2379")))).getMessage());
        assertEquals("prefix: /apisix/ (expected: a key prefix such as /apisix, starting and not ending with /)",
                assertThrows(IllegalArgumentException.class, () -> builder.prefix("/apisix/")).getMessage());
        assertEquals("timeout: PT0S (expected: > 0)",
                assertThrows(IllegalArgumentException.class, () -> builder.timeout(Duration.ZERO)).getMessage());
        assertEquals("endpoints: none (expected: at least one etcd URL)",
                assertThrows(IllegalStateException.class, builder::build).getMessage());
    }
}
