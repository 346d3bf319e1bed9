package io.gatekit.engine;

import io.gatekit.api.Consumer;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpResponse;
import java.util.List;

/**
 * A test authentication plugin, {@code token-auth}: the consumer is the one whose {@code token}
 * the request's {@code token} header is; no such consumer answers 401. Shared with testkit's tests
 * through this module's test-jar.
 */
public final class TokenAuth extends SimplePluginFactory<TokenAuth.Conf> {

    /** The route's conf: nothing to set. */
    public record Conf() {
    }

    public TokenAuth() {
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
