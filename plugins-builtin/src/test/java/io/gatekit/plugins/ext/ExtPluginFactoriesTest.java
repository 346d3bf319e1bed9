package io.gatekit.plugins.ext;

import static io.gatekit.plugins.ext.Engines.conf;
import static io.gatekit.plugins.ext.Engines.request;
import static io.gatekit.plugins.ext.Engines.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Phase;
import io.gatekit.engine.Call;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Explanation;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import io.gatekit.runner.RunnerConf;
import io.gatekit.runner.TextEntry;
import io.gatekit.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Identity, schema, phases, buffering, conf ids and the shared client, as a host sees them. */
class ExtPluginFactoriesTest {

    private Path dir;

    @BeforeEach
    void makeDir() {
        dir = TempDirs.create("gk-ext-");
    }

    @AfterEach
    void removeDir() throws IOException {
        TempDirs.delete(dir);
    }

    @Test
    void theThreePluginsAreFoundByServiceLoaderWithApisixNamesAndPriorities() {
        try (Engine engine = Engines.withAttributes(null)) {
            assertEquals(12000, engine.plugin("ext-plugin-pre-req").orElseThrow().priority());
            assertEquals(-3000, engine.plugin("ext-plugin-post-req").orElseThrow().priority());
            assertEquals(-4000, engine.plugin("ext-plugin-post-resp").orElseThrow().priority());
        }
    }

    @Test
    void preReqRunsInRewritePostReqInAccessAndPostRespOnTheResponse() {
        try (Engine engine = Engines.withAttributes(null)) {
            route(engine, "1", "/r", "\"ext-plugin-pre-req\": {}, \"ext-plugin-post-req\": {},"
                    + " \"ext-plugin-post-resp\": {}");

            Explanation why = engine.explain(request("GET", "/r").build());

            assertEquals(List.of("ext-plugin-pre-req"), plugins(why, Phase.REWRITE));
            assertEquals(List.of("ext-plugin-post-req"), plugins(why, Phase.ACCESS));
            assertEquals(List.of(), plugins(why, Phase.BEFORE_PROXY));
            // pre-req and post-req add the runner's resp_headers; post-resp does its work there.
            assertEquals(List.of("ext-plugin-pre-req", "ext-plugin-post-req", "ext-plugin-post-resp"),
                    plugins(why, Phase.HEADER_FILTER));
        }
    }

    private static List<String> plugins(Explanation why, Phase phase) {
        return why.phases().getOrDefault(phase, List.of()).stream().map(Explanation.Step::plugin).toList();
    }

    @Test
    void theSchemaAcceptsWhatApisixAcceptsAndRefusesWhatItRefuses() {
        try (Engine engine = Engines.withAttributes(null)) {
            for (String name : Engines.NAMES) {
                assertEquals(List.of(), violations(engine, name, "{}"), name);
                assertEquals(List.of(), violations(engine, name, "{\"a\": \"b\"}"), name);
                assertEquals(List.of(), violations(engine, name, "{" + conf("auth", "{}")
                        + ", \"allow_degradation\": true, \"read_request_body\": false, \"timeout\": 0.5}"), name);
                assertEquals(List.of("/conf"), violations(engine, name, "{\"conf\": []}"), name);
                assertEquals(List.of("/conf/0/name"), violations(engine, name,
                        "{\"conf\": [{\"name\": \"\", \"value\": \"v\"}]}"), name);
                assertEquals(List.of("/conf/0/name"), violations(engine, name,
                        "{\"conf\": [{\"name\": \"" + "n".repeat(129) + "\", \"value\": \"v\"}]}"), name);
                assertEquals(List.of("/conf/0/value"), violations(engine, name, "{\"conf\": [{\"name\": \"n\"}]}"), name);
                assertEquals(List.of("/allow_degradation"), violations(engine, name,
                        "{\"allow_degradation\": \"yes\"}"), name);
                assertEquals(List.of("/timeout"), violations(engine, name, "{\"timeout\": 0}"), name);
            }
            assertEquals(List.of(), violations(engine, "ext-plugin-post-resp", "{\"header_mode\": \"replace\"}"));
            assertEquals(List.of("/header_mode"), violations(engine, "ext-plugin-post-resp",
                    "{\"header_mode\": \"append\"}"));
        }
    }

    /** The JSON pointers of the violations of a route with {@code plugin: conf}, relative to the plugin. */
    private static List<String> violations(Engine engine, String plugin, String conf) {
        String prefix = "/plugins/" + plugin;
        return engine.validate(ResourceKind.ROUTES, "{\"uri\": \"/r\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}},"
                + " \"plugins\": {\"" + plugin + "\": " + conf + "}}").stream().map(Violation::pointer)
                .map(p -> p.startsWith(prefix) ? p.substring(prefix.length()) : p).distinct().toList();
    }

    @Test
    void requestPluginsBufferTheRequestBodyUnlessToldNotToAndPostRespAlsoBuffersTheResponse() {
        try (Engine engine = Engines.withAttributes(null)) {
            route(engine, "1", "/pre", "\"ext-plugin-pre-req\": {}");
            route(engine, "2", "/pre-stream", "\"ext-plugin-pre-req\": {\"read_request_body\": false}");
            route(engine, "3", "/post-stream", "\"ext-plugin-post-req\": {\"read_request_body\": false}");
            route(engine, "4", "/resp", "\"ext-plugin-post-resp\": {}");
            route(engine, "5", "/resp-stream", "\"ext-plugin-post-resp\": {\"read_request_body\": false}");

            Map<String, BodyBuffering> buffering = List.of("/pre", "/pre-stream", "/post-stream", "/resp", "/resp-stream")
                    .stream().collect(Collectors.toMap(uri -> uri, uri -> {
                        Call call = engine.newCall(request("POST", uri).build());
                        call.complete();
                        return call.bodyBuffering();
                    }));

            assertEquals(Map.of("/pre", BodyBuffering.REQUEST, "/pre-stream", BodyBuffering.NONE,
                    "/post-stream", BodyBuffering.NONE, "/resp", BodyBuffering.BOTH,
                    "/resp-stream", BodyBuffering.RESPONSE), buffering);
        }
    }

    @Test
    void instancesShareOneClientPerSocketPathAndTheLastOneToGoClosesIt() {
        Path socket = dir.resolve("runner.sock").toAbsolutePath();
        try (Engine engine = Engines.withRunner(socket)) {
            route(engine, "1", "/a", "\"ext-plugin-pre-req\": {}, \"ext-plugin-post-resp\": {}");
            route(engine, "2", "/b", "\"ext-plugin-post-req\": {" + conf("auth", "{}") + "}");
            int before = RunnerClients.openClients();
            assertEquals(3, RunnerClients.leases(socket));

            engine.delete(ResourceKind.ROUTES, "2", false);
            assertEquals(2, RunnerClients.leases(socket));
            assertEquals(before, RunnerClients.openClients());
        }
        assertEquals(0, RunnerClients.leases(socket));
    }

    @Test
    void theConfIdNamesTheOwnerAsApisixDoesAndTheVersionChangesOnlyWithTheRunnerPlugins() {
        ExtPluginPreReqFactory factory = new ExtPluginPreReqFactory();
        ExtPluginConfig one = new ExtPluginConfig(List.of(new ExtPluginConfig.ConfEntry("auth", "{\"a\":1}")),
                false, null, null, null);
        ExtPluginConfig sameRunnerPlugins = new ExtPluginConfig(one.conf(), true, false, 2.0, null);
        ExtPluginConfig other = new ExtPluginConfig(List.of(new ExtPluginConfig.ConfEntry("auth", "{\"a\":2}")),
                false, null, null, null);

        RunnerConf conf = factory.runnerConf(one, "route 1");

        assertEquals("route#1#ext-plugin-pre-req", conf.id());
        assertEquals(conf.id() + "#" + conf.version(), conf.key());
        assertEquals(List.of(TextEntry.of("auth", "{\"a\":1}")), conf.plugins());
        assertEquals(conf.version(), factory.runnerConf(sameRunnerPlugins, "route 1").version());
        assertNotEquals(conf.version(), factory.runnerConf(other, "route 1").version());
        assertEquals("global_rule#g#ext-plugin-pre-req", factory.runnerConf(one, "global_rule g").id());
        assertEquals(List.of(), factory.runnerConf(new ExtPluginConfig(null, false, null, null, null), "route 1")
                .plugins());
    }

    @Test
    void anAttributeOutOfRangeRefusesTheConfigNamingTheAttribute() {
        try (Engine engine = Engines.withAttributes("{\"socket_path\": \"" + dir.resolve("r.sock")
                + "\", \"read_timeout\": -1}")) {
            ConfigException refused = assertThrows(ConfigException.class,
                    () -> route(engine, "1", "/r", "\"ext-plugin-pre-req\": {}"));

            assertTrue(refused.getMessage().contains("plugin_attr.ext-plugin-pre-req.read_timeout: -1.0"),
                    refused.getMessage());
        }
    }
}
