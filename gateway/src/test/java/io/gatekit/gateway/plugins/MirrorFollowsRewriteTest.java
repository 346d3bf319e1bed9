package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code proxy-mirror}'s copy is the request as {@code proxy-rewrite} left it, whichever of the
 * two runs first. In APISIX the copy's URI is fixed in proxy-mirror's {@code rewrite} (priority
 * 1010, before proxy-rewrite's 1008), so by default it keeps the client's URI;
 * {@code t/plugin/proxy-mirror2.t} TEST 1-3 flips the priorities with {@code _meta.priority} to
 * mirror the rewritten one. Here copies leave at {@code before_proxy}, after every rewrite, so
 * both orders give the rewritten request: method, URI, query and headers.
 */
class MirrorFollowsRewriteTest {

    private PluginGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = PluginGateway.start();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    @ParameterizedTest(name = "proxy-rewrite priority {0}, proxy-mirror priority {1}")
    @CsvSource({"1008, 1010", "1010, 1008"})
    void theCopyCarriesTheRewrittenRequestWhateverThePriorities(int rewritePriority, int mirrorPriority)
            throws Exception {
        gw.putRoute("1", gw.route("/nope", """
                {"proxy-rewrite": {"_meta": {"priority": %d}, "uri": "/hello", "method": "POST",
                                   "headers": {"set": {"X-Rewritten": "yes"}, "remove": ["X-Secret"]}},
                 "proxy-mirror": {"_meta": {"priority": %d}, "host": "%s"}}"""
                .formatted(rewritePriority, mirrorPriority, gw.mirrorUrl())));

        assertEquals(200, gw.send("GET", "/nope?a=b&b=c&c=d", "X-Secret", "s").status());
        PluginGateway.Received upstream = gw.upstreamGot();
        PluginGateway.Received copy = gw.mirrorGot();

        assertEquals("/hello?a=b&b=c&c=d", upstream.uri());
        assertEquals("/hello?a=b&b=c&c=d", copy.uri());
        assertEquals("POST", copy.method());
        assertEquals("yes", copy.header("x-rewritten"));
        assertEquals(null, copy.header("x-secret"));
        assertEquals(upstream.header("host"), copy.header("host"));
    }
}
