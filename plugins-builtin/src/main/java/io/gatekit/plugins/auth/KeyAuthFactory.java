package io.gatekit.plugins.auth;

import io.gatekit.api.Consumer;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;

/**
 * {@code key-auth}: finds the consumer by an API key in a header or a query argument, as APISIX's
 * plugin of the same name (priority 2500, same schemas, same answers). On a route:
 * {@code {"header": "apikey", "query": "apikey", "hide_credentials": false}}; on a consumer:
 * {@code {"key": "auth-one"}}, a key no other consumer has.
 *
 * <p>The header wins over the query argument. A request without a key gets 401
 * {@code {"message": "Missing API key in request"}}, one with an unknown key 401
 * {@code {"message": "Invalid API key in request"}}, both with
 * {@code WWW-Authenticate: apikey realm="key"}. With {@code hide_credentials} the key is removed
 * before the upstream sees the request. {@code anonymous_consumer} is refused: Gatekit does not
 * have it yet.
 */
public final class KeyAuthFactory extends AuthPluginFactory<KeyAuthFactory.Config> {

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "header": {"type": "string", "default": "apikey"},
               "query": {"type": "string", "default": "apikey"},
               "realm": %s,
               "hide_credentials": {"type": "boolean", "default": false},
               "anonymous_consumer": {"type": "string", "minLength": 1}
             }}""".formatted(AuthReplies.realmSchema("key"));

    private static final String CONSUMER_SCHEMA = """
            {"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"]}""";

    /**
     * The config on a route or service, as APISIX's JSON.
     *
     * @param header            the header the key is read from
     * @param query             the query argument it is read from when the header is absent
     * @param realm             the realm of the challenge
     * @param hideCredentials   whether the key is removed before the upstream
     * @param anonymousConsumer refused
     */
    public record Config(String header, String query, String realm, boolean hideCredentials,
            @Nullable String anonymousConsumer) {
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public KeyAuthFactory() {
        super("key-auth", 2500, SCHEMA, Config.class, CONSUMER_SCHEMA, "key", "key");
    }

    @Override
    @Nullable String anonymousConsumer(Config config) {
        return config.anonymousConsumer();
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        return new KeyAuth(config);
    }

    /** Identifies the consumer in {@code rewrite}, as APISIX. */
    private static final class KeyAuth implements Plugin {
        private final Config config;

        KeyAuth(Config config) {
            this.config = config;
        }

        @Override
        public Outcome rewrite(Exchange exchange) {
            HttpRequest request = exchange.request();
            String key = request.headers().get(config.header());
            boolean fromHeader = key != null;
            if (key == null) {
                key = request.query().get(config.query());
            }
            if (key == null) {
                return AuthReplies.unauthorized("apikey", config.realm(), "Missing API key in request");
            }
            Consumer consumer = exchange.findConsumer("key-auth", "key", key);
            if (consumer == null) {
                return AuthReplies.unauthorized("apikey", config.realm(), "Invalid API key in request");
            }
            if (config.hideCredentials()) {
                if (fromHeader) {
                    request.headers().remove(config.header());
                } else {
                    request.query().remove(config.query());
                }
            }
            exchange.attachConsumer(consumer);
            return Outcome.proceed();
        }
    }
}
