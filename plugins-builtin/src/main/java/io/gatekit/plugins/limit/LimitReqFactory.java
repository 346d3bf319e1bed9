package io.gatekit.plugins.limit;

import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;

/**
 * {@code limit-req}: a leaky bucket per key, {@code rate} requests per second with up to
 * {@code burst} more waiting, as APISIX's plugin of the same name with its {@code local} policy
 * (priority 1001, APISIX's schema; nginx's {@code limit_req} algorithm).
 *
 * <pre>{@code
 * "limit-req": {"rate": 10, "burst": 5, "key": "remote_addr", "key_type": "var",
 *               "rejected_code": 429, "rejected_msg": "slow down", "nodelay": false}
 * }</pre>
 *
 * <p>A request over {@code rate} but within {@code burst} is delayed until its turn (unless
 * {@code nodelay}); one past {@code burst} gets {@code rejected_code} (with
 * {@code {"error_msg": rejected_msg}} when set). A delay holds no thread: the request resumes
 * from a timer of the instance's scheduler. The {@code redis} and {@code redis-cluster} policies
 * are refused with a reason. The key {@code consumer_name} counts per consumer.
 */
public final class LimitReqFactory extends SimplePluginFactory<LimitReqFactory.Config> {

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "rate": {"type": "number", "exclusiveMinimum": 0},
               "burst": {"type": "number", "minimum": 0},
               "key": {"type": "string"},
               "key_type": {"type": "string", "enum": ["var", "var_combination"], "default": "var"},
               "policy": {"type": "string", "enum": ["redis", "redis-cluster", "local"], "default": "local"},
               "rejected_code": {"type": "integer", "minimum": 200, "maximum": 599, "default": 503},
               "rejected_msg": {"type": "string", "minLength": 1},
               "nodelay": {"type": "boolean", "default": false},
               "allow_degradation": {"type": "boolean", "default": false}
             },
             "required": ["rate", "burst", "key"]}""";

    /**
     * The config, as APISIX's JSON.
     *
     * @param rate             requests per second
     * @param burst            requests per second over {@code rate} that wait instead of being refused
     * @param key              what to count under
     * @param keyType          {@code var} or {@code var_combination}
     * @param policy           {@code local} (the redis ones are refused)
     * @param rejectedCode     the status of a refusal
     * @param rejectedMsg      its {@code error_msg}, if any
     * @param nodelay          let requests within the burst through at once
     * @param allowDegradation let requests through when the limiter fails
     */
    public record Config(double rate, double burst, String key, String keyType, String policy, int rejectedCode,
            @Nullable String rejectedMsg, boolean nodelay, boolean allowDegradation) {
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public LimitReqFactory() {
        super("limit-req", 1001, SCHEMA, Config.class);
    }

    @Override
    public void validate(Config config) {
        Limits.localPolicy(config.policy(), "local");
        LimitKey.of(config.keyType(), config.key());
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        return new LimitReqPlugin(config, LimitKey.of(config.keyType(), config.key()), context);
    }
}
