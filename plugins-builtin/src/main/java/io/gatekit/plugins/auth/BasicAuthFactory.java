package io.gatekit.plugins.auth;

import io.gatekit.api.Consumer;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.http.Exchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code basic-auth}: finds the consumer by the user name and password of an
 * {@code Authorization: Basic} header, as APISIX's plugin of the same name (priority 2520, same
 * schemas, same answers). On a route: {@code {"hide_credentials": false}}; on a consumer:
 * {@code {"username": "foo", "password": "bar"}}, a user name no other consumer has.
 *
 * <p>Answers 401 with {@code WWW-Authenticate: Basic realm="basic"} and
 * {@code {"message": "Missing authorization in request"}} without the header,
 * {@code "Invalid authorization in request"} when it cannot be read, and
 * {@code "Invalid user authorization"} for an unknown user or a wrong password. As APISIX, the
 * decoded text is split at colons and white space is taken out of both parts. With
 * {@code hide_credentials} the header is removed before the upstream. {@code anonymous_consumer}
 * is refused: Gatekit does not have it yet.
 */
public final class BasicAuthFactory extends AuthPluginFactory<BasicAuthFactory.Config> {

    private static final String SCHEMA = """
            {"type": "object",
             "title": "work with route or service object",
             "properties": {
               "hide_credentials": {"type": "boolean", "default": false},
               "realm": %s,
               "anonymous_consumer": {"type": "string", "minLength": 1}
             }}""".formatted(AuthReplies.realmSchema("basic"));

    private static final String CONSUMER_SCHEMA = """
            {"type": "object",
             "title": "work with consumer object",
             "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
             "required": ["username", "password"]}""";

    /**
     * The config on a route or service, as APISIX's JSON.
     *
     * @param hideCredentials   whether the {@code Authorization} header is removed before the upstream
     * @param realm             the realm of the challenge
     * @param anonymousConsumer refused
     */
    public record Config(boolean hideCredentials, String realm, @Nullable String anonymousConsumer) {
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public BasicAuthFactory() {
        super("basic-auth", 2520, SCHEMA, Config.class, CONSUMER_SCHEMA, "username", "password");
    }

    @Override
    @Nullable String anonymousConsumer(Config config) {
        return config.anonymousConsumer();
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        return new BasicAuth(config);
    }

    /** Identifies the consumer in {@code rewrite}, as APISIX. */
    private static final class BasicAuth implements Plugin {
        private static final Pattern BASIC = Pattern.compile("(?i:basic)\\s(.+)");
        private static final Pattern SPACE = Pattern.compile("\\s+");

        private final Config config;

        BasicAuth(Config config) {
            this.config = config;
        }

        @Override
        public Outcome rewrite(Exchange exchange) {
            String header = exchange.request().headers().get("Authorization");
            if (header == null) {
                return deny("Missing authorization in request");
            }
            Matcher m = BASIC.matcher(header);
            if (!m.find()) {
                return deny("Invalid authorization in request");
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(m.group(1).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return deny("Invalid authorization in request");
            }
            String[] parts = decoded.split(":");
            if (parts.length < 2) {
                return deny("Invalid authorization in request");
            }
            String username = SPACE.matcher(parts[0]).replaceAll("");
            String password = SPACE.matcher(parts[1]).replaceAll("");
            Consumer consumer = exchange.findConsumer("basic-auth", "username", username);
            String expected = consumer == null ? null : consumer.credential("basic-auth", "password");
            if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                    password.getBytes(StandardCharsets.UTF_8))) {
                return deny("Invalid user authorization");
            }
            if (config.hideCredentials()) {
                exchange.request().headers().remove("Authorization");
            }
            exchange.attachConsumer(consumer);
            return Outcome.proceed();
        }

        private Outcome deny(String message) {
            return AuthReplies.unauthorized("Basic", config.realm(), message);
        }
    }
}
