package io.gatekit.gateway.faults;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;

/**
 * {@code fault-stamp}: puts {@code x-stamp: <value>} on the request to the upstream and on the
 * response, so a client can tell which config version served it; with {@code deny} it answers 403
 * itself (a short-circuit) without reaching the upstream.
 */
public final class StampPlugin implements PluginFactory<StampPlugin.Config> {

    /** The plugin's config. */
    public record Config(String value, boolean deny) {
    }

    @Override
    public String name() {
        return "fault-stamp";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public String configSchema() {
        return """
                {"type": "object", "properties": {"value": {"type": "string", "default": "on"},
                 "deny": {"type": "boolean", "default": false}}}""";
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
                if (config.deny()) {
                    return Outcome.respond(403, "{\"error_msg\":\"denied by fault-stamp\"}");
                }
                exchange.request().headers().set("x-stamp", config.value());
                return Outcome.proceed();
            }

            @Override
            public Completion headerFilter(Exchange exchange) {
                exchange.response().headers().set("x-stamp", config.value());
                return Completion.done();
            }
        };
    }
}
