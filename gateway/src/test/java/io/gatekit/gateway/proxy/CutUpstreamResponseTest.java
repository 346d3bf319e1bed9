package io.gatekit.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.RawHttp;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.gateway.faults.Faults;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.Reply;
import io.gatekit.runner.RunnerPlugin;
import io.gatekit.runner.RunnerServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream that announces {@code Content-Length: 14}, sends 13 bytes and closes. On a route
 * that buffers the response nothing has reached the client yet: it gets APISIX's 502. On a
 * streaming route the head and 13 bytes are out: the client connection is closed. Either way the
 * gateway logs it and counts it.
 */
class CutUpstreamResponseTest {

    private static final String CUT = "HTTP/1.1 200 OK\r\nContent-Length: 14\r\nContent-Type: text/plain\r\n\r\n"
            + "thirteen byte";

    private RawUpstream upstream;

    @BeforeEach
    void start() throws IOException {
        assertEquals(13, "thirteen byte".length());
        upstream = new RawUpstream(head -> head.startsWith("GET /cut")
                ? RawUpstream.Reply.of(CUT, true)
                : RawUpstream.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwhole", false));
    }

    @AfterEach
    void stop() throws IOException {
        upstream.close();
    }

    private static Gateway gateway(GatewayConfig config) {
        return Gateway.start(config, Engine.builder().discoverPlugins().plugin(new BufferingPlugin()));
    }

    private void route(Gateway gateway, String id, String plugins) {
        gateway.engine().put(ResourceKind.ROUTES, id, """
                {"uris": ["/cut/%s", "/whole/%s"], "plugins": %s, "upstream": {"nodes": {"%s": 1}}}"""
                .formatted(id, id, plugins, upstream.address()));
    }

    @Test
    void onARouteThatBuffersTheResponseTheClientGets502AndTheConnectionServesTheNextRequest() throws Exception {
        try (Gateway gateway = gateway(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0))) {
            route(gateway, "buffered", "{\"buffer-response\": {}}");
            try (RawHttp http = new RawHttp(gateway.port())) {
                RawHttp.Response response = http.get("/cut/buffered", "example.com").read();

                assertEquals(502, response.status(), response.text());
                assertTrue(response.text().contains("<h1>502 Bad Gateway</h1>"), response.text()); // APISIX's page
                assertEquals("buffered", response.header("x-header-filter"), "the 502 went through header_filter");

                RawHttp.Response next = http.get("/whole/buffered", "example.com").read();
                assertEquals(200, next.status());
                assertEquals("whole", next.text());
            }
            assertEquals(1, Faults.metric(gateway, "gatekit_upstream_cut_responses_total", "route=\"buffered\"",
                    "node=\"" + upstream.address() + "\""));
            assertEquals(1, Faults.metric(gateway, "gatekit_http_requests_total", "route=\"buffered\"", "code=\"502\""));
        }
    }

    @Test
    void onAStreamingRouteTheClientGetsTheHeadAndTheBytesSentThenTheConnectionCloses() throws Exception {
        try (Gateway gateway = gateway(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0))) {
            route(gateway, "streaming", "{}");
            try (RawHttp http = new RawHttp(gateway.port())) {
                RawHttp.Response response = http.get("/cut/streaming", "example.com").read();

                assertEquals(200, response.status());
                assertEquals("14", response.header("content-length"));
                assertEquals("thirteen byte", response.text());
                assertTrue(http.closedByServer(), "the client connection stayed open after a cut response");
            }
            assertEquals(1, Faults.metric(gateway, "gatekit_upstream_cut_responses_total", "route=\"streaming\""));
        }
    }

    @Test
    void withExtPluginPostRespTheClientGets502(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("runner.sock");
        RunnerPlugin tagger = new RunnerPlugin() {
            @Override
            public Reply onResponse(HttpRespCall response, io.gatekit.runner.RunnerCallContext context) {
                return Reply.builder().addHeader("x-runner", "saw " + response.status()).build();
            }
        };
        Path config = Files.writeString(dir.resolve("config.yaml"), "ext-plugin:\n  path_for_test: " + socket + "\n");
        try (RunnerServer runner = RunnerServer.builder().socketPath(socket).plugin("tagger", tagger).build().start();
                Gateway gateway = gateway(ConfigLoader.load(config, w -> { }).withPorts(0, 0, 0))) {
            route(gateway, "post-resp", "{\"ext-plugin-post-resp\": {\"conf\": [{\"name\": \"tagger\", \"value\": \"\"}]}}");
            try (RawHttp http = new RawHttp(gateway.port())) {
                RawHttp.Response response = http.get("/cut/post-resp", "example.com").read();

                assertEquals(502, response.status(), response.text());
                assertTrue(response.text().contains("<h1>502 Bad Gateway</h1>"), response.text()); // APISIX's page

                RawHttp.Response next = http.get("/whole/post-resp", "example.com").read();
                assertEquals(200, next.status());
                assertEquals("saw 200", next.header("x-runner"));
            }
            assertEquals(1, Faults.metric(gateway, "gatekit_upstream_cut_responses_total", "route=\"post-resp\""));
        }
    }

    /** Asks for the response body whole, as ext-plugin-post-resp does; marks the head it filters. */
    static final class BufferingPlugin implements PluginFactory<BufferingPlugin.Conf> {
        record Conf() {
        }

        @Override
        public String name() {
            return "buffer-response";
        }

        @Override
        public int priority() {
            return 100;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\"}";
        }

        @Override
        public Class<Conf> configType() {
            return Conf.class;
        }

        @Override
        public Plugin create(Conf conf, PluginContext context) {
            return new Plugin() {
                @Override
                public BodyBuffering bodyBuffering() {
                    return BodyBuffering.RESPONSE;
                }

                @Override
                public Completion headerFilter(Exchange exchange) {
                    exchange.response().headers().set("x-header-filter", exchange.routeId());
                    return Completion.done();
                }
            };
        }
    }
}
