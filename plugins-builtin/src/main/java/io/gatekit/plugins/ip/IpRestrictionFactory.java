package io.gatekit.plugins.ip;

import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;
import io.gatekit.api.match.IpSet;

/**
 * {@code ip-restriction}: lets only the clients of a {@code whitelist} in, or keeps the clients of
 * a {@code blacklist} out, as APISIX's plugin of the same name (priority 3000, same schema, same
 * answer: {@code response_code} with {@code {"message": "<message>"}}).
 *
 * <pre>{@code
 * "ip-restriction": {"whitelist": ["127.0.0.1", "10.0.0.0/8", "fe80::/10"],
 *                    "message": "Your IP address is not allowed", "response_code": 403}
 * }</pre>
 *
 * <p>Entries are IPv4 or IPv6 addresses or CIDR blocks, matched against the client address
 * ({@code remote_addr}) by the engine's own matcher, the one routes' {@code remote_addrs} use.
 */
public final class IpRestrictionFactory extends SimplePluginFactory<IpRestrictionFactory.Config> {

    /** APISIX's {@code core.schema.ip_def}. */
    private static final String IP_DEF = """
            {"anyOf": [
              {"title": "IPv4", "type": "string", "format": "ipv4"},
              {"title": "IPv4/CIDR", "type": "string",
               "pattern": "^([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\\\\.([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\\\\.([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\\\\.([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])/([12]?[0-9]|3[0-2])$"},
              {"title": "IPv6", "type": "string", "format": "ipv6"},
              {"title": "IPv6/CIDR", "type": "string",
               "pattern": "^([a-fA-F0-9]{0,4}:){1,8}(:[a-fA-F0-9]{0,4}){0,8}([a-fA-F0-9]{0,4})?/[0-9]{1,3}$"}]}""";

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "message": {"type": "string", "minLength": 1, "maxLength": 1024,
                           "default": "Your IP address is not allowed"},
               "response_code": {"type": "integer", "minimum": 403, "maximum": 404, "default": 403},
               "whitelist": {"type": "array", "items": %1$s, "minItems": 1},
               "blacklist": {"type": "array", "items": %1$s, "minItems": 1}
             },
             "oneOf": [{"required": ["whitelist"]}, {"required": ["blacklist"]}]}""".formatted(IP_DEF);

    /**
     * The config, as APISIX's JSON: one of the two lists.
     *
     * @param message      the text of the refusal
     * @param responseCode 403 or 404
     * @param whitelist    the only clients let in
     * @param blacklist    the clients kept out
     */
    public record Config(String message, int responseCode, @Nullable IpSet whitelist, @Nullable IpSet blacklist) {
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public IpRestrictionFactory() {
        super("ip-restriction", 3000, SCHEMA, Config.class);
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        return new Restriction(config);
    }

    /** Checks the client in {@code access}, as APISIX. */
    private static final class Restriction implements Plugin {
        private final @Nullable IpSet whitelist;
        private final @Nullable IpSet blacklist;
        private final int status;
        private final byte[] body;

        Restriction(Config config) {
            this.whitelist = config.whitelist();
            this.blacklist = config.blacklist();
            this.status = config.responseCode();
            this.body = JsonText.object("message", config.message());
        }

        @Override
        public Outcome access(Exchange exchange) {
            String client = exchange.var("remote_addr");
            boolean block = blacklist != null && blacklist.contains(client);
            if (whitelist != null) {
                block = !whitelist.contains(client);
            }
            return block ? Outcome.respond(HttpResponse.of(status, HttpHeaders.of(), body.clone())) : Outcome.proceed();
        }
    }
}
