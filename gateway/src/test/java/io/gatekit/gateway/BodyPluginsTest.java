package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plugins that need whole bodies get them buffered; body_filter plugins rewrite streamed chunks. */
class BodyPluginsTest {

    /** Which trick the plugin plays. */
    record Conf(String mode) {
    }

    static final class BodyFactory implements PluginFactory<Conf> {
        @Override
        public String name() {
            return "body-tricks";
        }

        @Override
        public int priority() {
            return 10;
        }

        @Override
        public String configSchema() {
            return "{\"type\":\"object\",\"properties\":{\"mode\":{\"enum\":[\"upper\",\"chunks\",\"echo-request\"]}}}";
        }

        @Override
        public Class<Conf> configType() {
            return Conf.class;
        }

        @Override
        public Plugin create(Conf conf, PluginContext context) {
            return switch (conf.mode()) {
                case "upper" -> new Plugin() {
                    @Override
                    public BodyBuffering bodyBuffering() {
                        return BodyBuffering.RESPONSE;
                    }

                    @Override
                    public Completion headerFilter(Exchange exchange) {
                        String body = new String(exchange.response().body(), StandardCharsets.UTF_8);
                        exchange.response().body(body.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
                        return Completion.done();
                    }
                };
                case "chunks" -> new Plugin() {
                    @Override
                    public ByteBuffer bodyFilter(Exchange exchange, ByteBuffer chunk, boolean last) {
                        byte[] copy = new byte[chunk.remaining()];
                        chunk.get(copy);
                        String replaced = new String(copy, StandardCharsets.UTF_8).replace("hello", "howdy");
                        return ByteBuffer.wrap((replaced + (last ? "!" : "")).getBytes(StandardCharsets.UTF_8));
                    }
                };
                default -> new Plugin() {
                    @Override
                    public BodyBuffering bodyBuffering() {
                        return BodyBuffering.REQUEST;
                    }

                    @Override
                    public Outcome access(Exchange exchange) {
                        return Outcome.respond(200, "got " + new String(exchange.request().body(),
                                StandardCharsets.UTF_8));
                    }
                };
            };
        }
    }

    private TestUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new TestUpstream("one");
        gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0),
                Engine.builder().plugin(new BodyFactory()));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private RawHttp.Response get(String path) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.get(path, "a").read();
        }
    }

    @Test
    void aPluginAskingForTheWholeResponseGetsItAndMayReplaceIt() throws Exception {
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/up", "plugins": {"body-tricks": {"mode": "upper"}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));

        RawHttp.Response response = get("/up");

        assertEquals("HELLO FROM ONE", response.text());
        assertEquals("14", response.header("content-length"));
    }

    @Test
    void aBodyFilterRewritesChunksAndTheLengthIsNoLongerPromised() throws Exception {
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/chunks", "plugins": {"body-tricks": {"mode": "chunks"}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));

        RawHttp.Response response = get("/chunks");

        assertEquals("howdy from one!", response.text());
        assertNull(response.header("content-length"));
        assertEquals("chunked", response.header("transfer-encoding"));
    }

    @Test
    void aPluginAskingForTheWholeRequestBodyGetsIt() throws Exception {
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/req", "plugins": {"body-tricks": {"mode": "echo-request"}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));

        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("POST /req HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
            assertEquals("got abcd", http.read().text());
        }
    }
}
