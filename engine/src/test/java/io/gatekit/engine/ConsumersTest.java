package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consumers and consumer groups in the engine, as APISIX: an authentication plugin attaches the
 * consumer in {@code rewrite}; then the group's configs replace the route's and the consumer's
 * replace both, the rewrite of what the route lacked runs ({@code rewrite_in_consumer}), and
 * {@code access} runs the merged chain ({@code apisix/init.lua}, {@code plugin.merge_consumer_route}).
 */
class ConsumersTest {

    @SuppressWarnings("unchecked")
    private static final AttributeKey<List<String>> TRACE =
            AttributeKey.of("consumers-trace", (Class<List<String>>) (Class<?>) List.class);

    /** Records {@code name:value@phase} in rewrite and access. */
    static final class Mark extends SimplePluginFactory<Mark.Conf> {
        record Conf(String value) {
        }

        Mark(String name, int priority) {
            super(name, priority, "{\"type\": \"object\", \"properties\": {\"value\": {\"type\": \"string\"}}}",
                    Conf.class);
        }

        @Override
        public Plugin create(Conf config, PluginContext context) {
            String name = name();
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    return trace(exchange, name + ":" + config.value() + "@rewrite");
                }

                @Override
                public Outcome access(Exchange exchange) {
                    return trace(exchange, name + ":" + config.value() + "@access");
                }
            };
        }

        private static Outcome trace(Exchange exchange, String entry) {
            List<String> trace = exchange.attr(TRACE);
            if (trace == null) {
                exchange.attr(TRACE, trace = new ArrayList<>());
            }
            trace.add(entry);
            return Outcome.proceed();
        }
    }

    private Engine engine;

    @BeforeEach
    void start() {
        engine = Engine.builder().plugin(new TokenAuth()).plugin(new Mark("alpha", 100))
                .plugin(new Mark("beta", 50)).build();
        engine.put(ResourceKind.CONSUMER_GROUPS, "company", """
                {"plugins": {"alpha": {"value": "group"}}}""");
        engine.put(ResourceKind.CONSUMERS, "jack", """
                {"username": "jack", "group_id": "company",
                 "plugins": {"token-auth": {"token": "t-jack"}, "beta": {"value": "jack"}}}""");
        engine.put(ResourceKind.CONSUMERS, "rose", """
                {"username": "rose", "group_id": "company", "plugins": {"token-auth": {"token": "t-rose"},
                 "alpha": {"value": "rose"}}}""");
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"token-auth": {}, "alpha": {"value": "route"}}}""");
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private List<String> trace(String token) {
        Call call = engine.newCall(HttpRequest.builder().uri("/r").header("token", token).build());
        try {
            Outcome outcome = call.runRequestPhases();
            List<String> trace = call.exchange().attr(TRACE);
            List<String> out = new ArrayList<>(trace == null ? List.of() : trace);
            if (!outcome.proceeds()) {
                out.add(Integer.toString(outcome.response().status()));
            }
            out.add("consumer=" + call.exchange().var("consumer_name") + "/" + call.exchange().var("consumer_group_id"));
            return out;
        } finally {
            call.complete();
        }
    }

    @Test
    void theGroupReplacesTheRouteAndTheConsumerReplacesBothInAccess() {
        assertEquals(List.of("alpha:route@rewrite", "beta:jack@rewrite", "alpha:group@access", "beta:jack@access",
                "consumer=jack/company"), trace("t-jack"));
        assertEquals(List.of("alpha:route@rewrite", "alpha:rose@access", "consumer=rose/company"), trace("t-rose"));
        assertEquals(List.of("401", "consumer=null/null"), trace("t-nobody"));
    }

    @Test
    void explainNamesTheLevelEachConfigCameFromAndWhatItOverrode() {
        Explanation why = engine.explain(HttpRequest.builder().uri("/r").build(), "jack");

        List<String> access = why.phases().get(Phase.ACCESS).stream()
                .map(s -> s.plugin() + "@" + s.origin().label() + " " + s.originId()).toList();
        assertEquals(List.of("alpha@consumer_group company", "beta@consumer jack"), access);
        assertTrue(why.skipped().stream().anyMatch(s -> s.plugin().equals("alpha") && s.origin() == Origin.ROUTE
                && s.reason().equals("overridden by consumer_group company")), why.skipped().toString());
        assertFalse(why.toString().contains("t-jack"), why.toString());
        assertThrows(IllegalArgumentException.class,
                () -> engine.explain(HttpRequest.builder().uri("/r").build(), "nobody"));
    }

    @Test
    void aConsumerChangeAppliesToTheNextRequest() {
        engine.put(ResourceKind.CONSUMERS, "jack", """
                {"username": "jack", "plugins": {"token-auth": {"token": "t-jack2"}}}""");

        assertEquals(List.of("401", "consumer=null/null"), trace("t-jack"));
        assertEquals(List.of("alpha:route@rewrite", "alpha:route@access", "consumer=jack/null"), trace("t-jack2"));
    }

    @Test
    void badConsumersAreRefusedWithApisixsMessages() {
        assertEquals("wrong username", refused(ResourceKind.CONSUMERS, "jack", "{\"username\": \"rose\"}"));
        assertEquals("invalid configuration: property \"username\" is required",
                refused(ResourceKind.CONSUMERS, "jack", "{\"plugins\": {}}"));
        assertEquals("failed to fetch consumer group info by consumer group id [nope], response code: 404",
                refused(ResourceKind.CONSUMERS, "tom", "{\"username\": \"tom\", \"group_id\": \"nope\"}"));
        assertEquals("invalid plugins configuration: failed to check the configuration of plugin token-auth err: "
                + "property \"token\" is required",
                refused(ResourceKind.CONSUMERS, "tom", "{\"username\": \"tom\", \"plugins\": {\"token-auth\": {}}}"));
        assertEquals("duplicate token of plugin token-auth found with consumer: jack", refused(ResourceKind.CONSUMERS,
                "tom", "{\"username\": \"tom\", \"plugins\": {\"token-auth\": {\"token\": \"t-jack\"}}}"));
        assertEquals("duplicate token of plugin token-auth found with consumer: jack", refused(ResourceKind.CONSUMERS,
                "aaron", "{\"username\": \"aaron\", \"plugins\": {\"token-auth\": {\"token\": \"t-jack\"}}}"),
                "the consumer that had the key first is named, whatever the names' order");
        assertEquals("invalid configuration: property \"plugins\" is required",
                refused(ResourceKind.CONSUMER_GROUPS, "g", "{}"));
        ConfigException inUse = assertThrows(ConfigException.class,
                () -> engine.delete(ResourceKind.CONSUMER_GROUPS, "company", false));
        assertEquals("can not delete this consumer group, consumer [jack] is still using it now", inUse.errorMsg());
        assertTrue(engine.get(ResourceKind.CONSUMERS, "tom").isEmpty());
    }

    private String refused(ResourceKind kind, String id, String json) {
        return assertThrows(ConfigException.class, () -> engine.put(kind, id, json)).errorMsg();
    }

    @Test
    void secretsAreRedactedWhereResourcesAreShown() {
        Resource jack = engine.redact(engine.get(ResourceKind.CONSUMERS, "jack").orElseThrow());

        assertTrue(jack.json().contains("\"token\":\"******\""), jack.json());
        assertFalse(jack.json().contains("t-jack"), jack.json());
        assertTrue(engine.get(ResourceKind.CONSUMERS, "jack").orElseThrow().json().contains("t-jack"));
    }

    @Test
    void aStandaloneDocumentCarriesConsumersByUsername() {
        engine.replaceAll("""
                {"consumer_groups": [{"id": "g", "plugins": {"alpha": {"value": "g"}}}],
                 "consumers": [{"username": "ann", "group_id": "g", "plugins": {"token-auth": {"token": "t-ann"}}}],
                 "routes": [{"id": "1", "uri": "/r", "plugins": {"token-auth": {}}}]}""");

        assertEquals(List.of("alpha:g@rewrite", "alpha:g@access", "consumer=ann/g"), trace("t-ann"));
    }
}
