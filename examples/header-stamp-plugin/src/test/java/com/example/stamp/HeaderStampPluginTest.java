package com.example.stamp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The plugin author's workflow with the test kit: the contract checks every plugin should pass,
 * then the plugin's own behaviour, in memory, through a real engine.
 */
class HeaderStampPluginTest {

    private static final String STAMP = """
            {"header-stamp": {"name": "x-stamp", "value": "gatekit"}}""";

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new HeaderStampFactory())
                .accepts("""
                        {"name": "x-stamp", "value": "gatekit"}""", """
                        {"name": "x-stamp", "value": "gatekit", "response": false}""")
                .rejects("""
                        {"name": "x stamp", "value": "v"}""", "/name")
                .rejects("""
                        {"name": "x-stamp"}""", "/value")
                .rejects("""
                        {"name": "x-stamp", "value": "v", "color": "red"}""", "/color")
                .discoverable()
                .tests();
    }

    @Test
    void stampsTheRequestTheUpstreamReceivesAndTheResponseTheClientGets() {
        try (PluginHarness harness = PluginHarness.of(new HeaderStampFactory())) {
            harness.route(STAMP);

            RunResult result = harness.request("/hello");

            assertEquals("gatekit", result.upstreamRequest().headers().get("x-stamp"));
            assertEquals("gatekit", result.response().headers().get("x-stamp"));
            assertEquals(List.of("header-stamp@rewrite", "header-stamp@header_filter"), result.trace());
        }
    }

    @Test
    void leavesTheResponseAloneWhenResponseIsFalse() {
        try (PluginHarness harness = PluginHarness.of(new HeaderStampFactory())) {
            harness.route("""
                    {"header-stamp": {"name": "x-stamp", "value": "gatekit", "response": false}}""");

            RunResult result = harness.request("/hello");

            assertEquals("gatekit", result.upstreamRequest().headers().get("x-stamp"));
            assertNull(result.response().headers().get("x-stamp"));
        }
    }

    @Test
    void replacesAValueTheClientSentInsteadOfAddingASecond() {
        try (PluginHarness harness = PluginHarness.of(new HeaderStampFactory())) {
            harness.route(STAMP);

            RunResult result = harness.request(HttpRequest.builder().uri("/hello")
                    .header("X-Stamp", "forged").build());

            assertEquals(List.of("gatekit"), result.upstreamRequest().headers().all("x-stamp"));
        }
    }

    /** A plugin that stamps in rewrite runs before any access check, whatever the priorities. */
    @Test
    void anAccessCheckDownTheChainSeesTheStamp() {
        try (PluginHarness harness = PluginHarness.of(new HeaderStampFactory(), new RequireStamp())) {
            harness.route("""
                    {"header-stamp": {"name": "x-stamp", "value": "gatekit"}, "require-stamp": {}}""");
            RunResult stamped = harness.request("/hello");

            harness.route("""
                    {"require-stamp": {}}""");
            RunResult unstamped = harness.request("/hello");

            assertEquals(200, stamped.response().status());
            assertEquals(403, unstamped.response().status());
            assertEquals("require-stamp", unstamped.shortCircuitedBy());
            assertTrue(stamped.trace().indexOf("header-stamp@rewrite") < stamped.trace().indexOf("require-stamp@access"));
        }
    }

    /** A second plugin, only for this test: refuses requests without x-stamp; higher priority than header-stamp. */
    private static final class RequireStamp implements PluginFactory<RequireStamp.Config> {
        record Config() {
        }

        @Override
        public String name() {
            return "require-stamp";
        }

        @Override
        public int priority() {
            return 1000;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\", \"additionalProperties\": false}";
        }

        @Override
        public Class<Config> configType() {
            return Config.class;
        }

        @Override
        public Plugin create(Config config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    return exchange.request().headers().contains("x-stamp") ? Outcome.proceed()
                            : Outcome.respond(HttpResponse.of(403));
                }
            };
        }
    }
}
