package io.gatekit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Consumer;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ResourceKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An authentication plugin under the harness keeps its consumer schema, key field and secrets. */
class AuthPluginHarnessTest {

    /** The consumer whose {@code token} the request's {@code token} header is. */
    static final class TokenAuth extends SimplePluginFactory<TokenAuth.Conf> {
        record Conf() {
        }

        TokenAuth() {
            super("token-auth", 2500, "{\"type\": \"object\"}", Conf.class);
        }

        @Override
        public boolean authenticates() {
            return true;
        }

        @Override
        public String consumerSchema() {
            return "{\"type\": \"object\", \"properties\": {\"token\": {\"type\": \"string\"}}, \"required\": [\"token\"]}";
        }

        @Override
        public String consumerKeyField() {
            return "token";
        }

        @Override
        public List<String> secretFields() {
            return List.of("token");
        }

        @Override
        public Plugin create(Conf config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    String token = exchange.request().headers().get("token");
                    Consumer found = token == null ? null : exchange.findConsumer("token-auth", "token", token);
                    if (found == null) {
                        return Outcome.respond(HttpResponse.of(401));
                    }
                    exchange.attachConsumer(found);
                    return Outcome.proceed();
                }
            };
        }
    }

    @Test
    void theHarnessFindsConsumersChecksTheirConfigAndRedactsTheirSecrets() {
        try (PluginHarness harness = PluginHarness.of(new TokenAuth())) {
            harness.engine().put(ResourceKind.CONSUMERS, "jack", """
                    {"username": "jack", "plugins": {"token-auth": {"token": "t-jack"}}}""");
            harness.route("{\"token-auth\": {}}");

            RunResult found = harness.request(HttpRequest.builder().uri("/").header("token", "t-jack").build());
            ConfigException bad = assertThrows(ConfigException.class, () -> harness.engine().put(
                    ResourceKind.CONSUMERS, "rose", "{\"username\": \"rose\", \"plugins\": {\"token-auth\": {}}}"));
            String shown = harness.engine().redact(harness.engine().get(ResourceKind.CONSUMERS, "jack").orElseThrow())
                    .json();

            assertEquals(200, found.response().status());
            assertEquals("jack", found.exchange().consumer().username());
            assertEquals(401, harness.request("/").response().status());
            assertTrue(bad.errorMsg().endsWith("property \"token\" is required"), bad.errorMsg());
            assertFalse(shown.contains("t-jack"), shown);
        }
    }
}
