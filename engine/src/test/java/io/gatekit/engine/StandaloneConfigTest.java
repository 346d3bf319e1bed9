package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A standalone document (apisix.yaml) as the config: applied at start, followed, bad changes refused. */
class StandaloneConfigTest {

    private static final String ROUTE = """
            routes:
              - id: 1
                uri: /one
                upstream:
                  nodes:
                    "127.0.0.1:1980": 1
            #END
            """;

    private Engine engine;

    @BeforeEach
    void startEngine() {
        engine = Engine.builder().build();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    private boolean matches(String path) {
        return engine.newCall(HttpRequest.builder().path(path).build()).matched();
    }

    @Test
    void aFileIsAppliedAtStartAndFollowedAsItChanges(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("apisix.yaml"), ROUTE);
        try (StandaloneConfig config = StandaloneConfig.file(file)) {
            config.start(engine);
            assertTrue(matches("/one"));
            long version = engine.version();

            Files.writeString(file, ROUTE.replace("/one", "/two"));

            Await.until("the changed file to apply", () -> engine.version() > version);
            assertFalse(matches("/one"));
            assertTrue(matches("/two"));
        }
    }

    @Test
    void anInvalidDocumentFailsTheStartWithApisixsMessage(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("apisix.yaml"), "routes:\n  - id: 1\n    uri: 7\n");
        String expected = assertThrows(ConfigException.class,
                () -> Engine.builder().build().replaceAll("{\"routes\": [{\"id\": 1, \"uri\": 7}]}")).errorMsg();

        try (StandaloneConfig config = StandaloneConfig.file(file)) {
            ConfigException e = assertThrows(ConfigException.class, () -> config.start(engine));

            assertEquals(expected, e.errorMsg());
            assertTrue(e.errorMsg().contains("property \"uri\" validation failed"), e.errorMsg());
            assertTrue(engine.list(ResourceKind.ROUTES).isEmpty());
        }
    }

    @Test
    void aBadChangeKeepsTheLastGoodConfigAndIsReportedUntilAGoodOneApplies(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("apisix.yaml"), ROUTE);
        try (StandaloneConfig config = StandaloneConfig.file(file)) {
            config.start(engine);
            long good = engine.version();

            Files.writeString(file, "routes:\n  - id: 1\n    uri: 7\n");
            Await.until("the bad file to be rejected", () -> config.lastRejection().isPresent());

            assertTrue(config.lastRejection().get().errorMsg().contains("property \"uri\" validation failed"));
            assertEquals(good, engine.version());
            assertTrue(matches("/one"));

            Files.writeString(file, "routes: [ {id: 1, uri: /one");
            Await.until("the rejection of the unparsable file",
                    () -> config.lastRejection().get().errorMsg().contains("not valid YAML or JSON"));
            assertTrue(matches("/one"));

            Files.writeString(file, ROUTE.replace("/one", "/three"));
            Await.until("the fixed file to clear the rejection", () -> config.lastRejection().isEmpty());
            assertTrue(matches("/three"));
        }
    }

    @Test
    void aClassPathResourceIsApplied(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("routes.yaml"), ROUTE);
        try (var loader = new java.net.URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, null);
                StandaloneConfig config = StandaloneConfig.classpath("routes.yaml", loader)) {
            config.start(engine);

            assertTrue(matches("/one"));
            assertEquals("classpath:routes.yaml", config.name());
        }
    }

    @Test
    void aMissingResourceFailsTheStartNamingIt() {
        StandaloneConfig config = StandaloneConfig.classpath("no-such.yaml");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.start(engine));

        assertTrue(e.getMessage().contains("classpath:no-such.yaml"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StandaloneConfig.classpath("/apisix.yaml"));
    }

    @Test
    void writesThroughTheSourceAreRefusedBecauseTheDocumentIsTheConfig(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("apisix.yaml"), ROUTE);
        try (StandaloneConfig config = StandaloneConfig.file(file)) {
            config.start(engine);

            ConfigException e = assertThrows(ConfigException.class, () -> config.put(ResourceKind.ROUTES, "2", "{}"));

            assertEquals(405, e.status());
            assertTrue(e.errorMsg().contains("apisix.yaml (standalone mode)"), e.errorMsg());
        }
    }
}
