package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.match.IpSet;
import io.gatekit.api.match.VarsExpression;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Plugin configs may declare {@link VarsExpression} and {@link IpSet} components: the engine
 * compiles them with its own expression and CIDR rules when it binds the config.
 */
class MatcherConfigTest {

    record Config(@Nullable VarsExpression vars, @Nullable IpSet allow) {
    }

    /** Answers 403 unless the client is in {@code allow} and the request satisfies {@code vars}. */
    private static final PluginFactory<Config> GUARD = PluginFactory.of("guard", 10, """
            {"type": "object", "properties": {"vars": {"type": "array"},
                                              "allow": {"type": "array", "items": {"type": "string"}}}}""",
            Config.class, (config, context) -> new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    boolean ok = (config.vars() == null || config.vars().test(exchange))
                            && (config.allow() == null || config.allow().contains(exchange.request().remoteIp()));
                    return ok ? Outcome.proceed() : Outcome.respond(403);
                }
            });

    private final Engine engine = Engine.builder().plugin(GUARD).build();

    private int status(String uri, String client) {
        Call call = engine.newCall(HttpRequest.builder().uri(uri).header("Host", "example.com")
                .remoteAddress(new InetSocketAddress(client, 40000)).build());
        Outcome outcome = call.runRequestPhases();
        call.complete();
        return outcome.proceeds() ? 200 : outcome.response().status();
    }

    @Test
    void aVarsComponentIsCompiledWithTheRouteExpressionRules() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"guard": {"vars": [["arg_v", "==", "2"], ["http_host", "~~", "^ex"]]}}}""");

        assertEquals(200, status("/r?v=2", "127.0.0.1"));
        assertEquals(403, status("/r?v=3", "127.0.0.1"));
    }

    @Test
    void anIpSetComponentMatchesIpv4AndIpv6Cidrs() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"guard": {"allow": ["10.0.0.0/8", "::1", "fe80::/10"]}}}""");

        assertEquals(200, status("/r", "10.20.30.40"));
        assertEquals(200, status("/r", "::1"));
        assertEquals(200, status("/r", "fe80::1234"));
        assertEquals(403, status("/r", "11.0.0.1"));
        assertEquals(403, status("/r", "::2"));
    }

    @Test
    void anExpressionThatDoesNotCompileRejectsTheConfigWithApisixWords() {
        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"guard": {"vars": [["arg_v", "equals", "2"]]}}}"""));

        assertEquals("failed to check the configuration of plugin guard err: failed to validate the 'vars'"
                + " expression: rule[0]: unknown operator 'equals' (expected one of "
                + "==, ~=, >, >=, <, <=, ~~, ~*, IN, HAS, ipmatch, or ! followed by one of them)", e.errorMsg());
        assertEquals(List.of("/plugins/guard"), e.violations().stream().map(Violation::pointer).toList());
    }

    @Test
    void anEntryThatIsNoAddressRejectsTheConfigNamingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"guard": {"allow": ["10.0.0.1", "::1/129"]}}}"""));

        assertEquals("failed to check the configuration of plugin guard err: invalid ip address: ::1/129"
                + " (expected: an IPv4 or IPv6 address or CIDR, such as 127.0.0.1, 192.168.0.0/16, ::1 or fe80::/10)",
                e.errorMsg());
    }
}
