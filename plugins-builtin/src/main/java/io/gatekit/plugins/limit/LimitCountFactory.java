package io.gatekit.plugins.limit;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import java.util.List;
import java.util.Map;

/**
 * {@code limit-count}: at most {@code count} requests per key in each {@code time_window} seconds,
 * as APISIX's plugin of the same name with its {@code local} policy and fixed windows (priority
 * 1002, APISIX's schema and texts).
 *
 * <pre>{@code
 * "limit-count": {"count": 100, "time_window": 60, "key_type": "var", "key": "remote_addr",
 *                 "rejected_code": 429, "rejected_msg": "slow down", "show_limit_quota_header": true}
 * }</pre>
 *
 * <p>A window starts with a key's first request and lasts {@code time_window} seconds; the
 * request past {@code count} gets {@code rejected_code} (and {@code {"error_msg": rejected_msg}}
 * when set). Responses carry {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining} and
 * {@code X-RateLimit-Reset} (seconds left in the window) unless {@code show_limit_quota_header} is
 * false; the plugin metadata may rename them ({@code limit_header}, {@code remaining_header},
 * {@code reset_header}). Counters live in the instance: a route keeps its counts while its
 * {@code limit-count} config is unchanged, as in APISIX, and each node counts on its own.
 *
 * <p>Accepted by the schema, as APISIX's, but refused with a reason: the {@code redis},
 * {@code redis-cluster} and {@code redis-sentinel} policies, {@code window_type: "sliding"},
 * {@code rules}, {@code group}, and variables in {@code count} or {@code time_window}; the key
 * {@code consumer_name} counts per consumer. {@code sync_interval} only applies to the
 * redis policies, as in APISIX.
 */
public final class LimitCountFactory extends SimplePluginFactory<LimitCountFactory.Config> {

    private static final String COUNT = """
            {"oneOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "string"}]}""";

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "count": %1$s,
               "time_window": %1$s,
               "window_type": {"type": "string", "enum": ["fixed", "sliding"], "default": "fixed"},
               "rules": {"type": "array",
                         "items": {"type": "object",
                                   "properties": {"count": %1$s, "time_window": %1$s, "key": {"type": "string"},
                                                  "header_prefix": {"type": "string",
                                                                    "description": "prefix for rate limit headers"}},
                                   "required": ["count", "time_window", "key"]}},
               "group": {"type": "string"},
               "key": {"type": "string", "default": "remote_addr"},
               "key_type": {"type": "string", "enum": ["var", "var_combination", "constant"], "default": "var"},
               "rejected_code": {"type": "integer", "minimum": 200, "maximum": 599, "default": 503},
               "rejected_msg": {"type": "string", "minLength": 1},
               "policy": {"type": "string", "enum": ["local", "redis", "redis-cluster", "redis-sentinel"],
                          "default": "local"},
               "allow_degradation": {"type": "boolean", "default": false},
               "show_limit_quota_header": {"type": "boolean", "default": true},
               "sync_interval": {"type": "number", "default": -1}
             }}""".formatted(COUNT);

    private static final String METADATA_SCHEMA = """
            {"type": "object",
             "properties": {
               "limit_header": {"type": "string", "default": "X-RateLimit-Limit"},
               "remaining_header": {"type": "string", "default": "X-RateLimit-Remaining"},
               "reset_header": {"type": "string", "default": "X-RateLimit-Reset"}
             }}""";

    /**
     * The config, as APISIX's JSON; {@code count} and {@code time_window} are numbers or (refused)
     * variable references, {@code rules} and {@code group} are refused.
     *
     * @param count                the requests allowed per window
     * @param timeWindow           the window, in seconds
     * @param windowType           {@code fixed} ({@code sliding} is refused)
     * @param rules                refused
     * @param group                refused
     * @param key                  what to count under
     * @param keyType              {@code var}, {@code var_combination} or {@code constant}
     * @param rejectedCode         the status of a refusal
     * @param rejectedMsg          its {@code error_msg}, if any
     * @param policy               {@code local} (the redis ones are refused)
     * @param allowDegradation     let requests through when the limiter fails
     * @param showLimitQuotaHeader send the quota headers
     * @param syncInterval         redis only
     */
    public record Config(@Nullable Object count, @Nullable Object timeWindow, String windowType,
            @Nullable List<Map<String, Object>> rules, @Nullable String group, String key, String keyType,
            int rejectedCode, @Nullable String rejectedMsg, String policy, boolean allowDegradation,
            boolean showLimitQuotaHeader, double syncInterval) {
    }

    /**
     * The plugin metadata: the names of the quota headers.
     *
     * @param limitHeader     the limit's header
     * @param remainingHeader what is left
     * @param resetHeader     seconds to the end of the window
     */
    public record Metadata(String limitHeader, String remainingHeader, String resetHeader) {
        static final Metadata DEFAULTS = new Metadata("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset");
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public LimitCountFactory() {
        super("limit-count", 1002, SCHEMA, Config.class, METADATA_SCHEMA, Metadata.class);
    }

    /**
     * APISIX's {@code oneOf} of {@code count}+{@code time_window} or {@code rules} is checked here,
     * not in the schema, so that a config with both gets APISIX's own sentence, which it produces
     * by rewording the schema's error; a config with neither gets the schema's sentence, as APISIX
     * words it.
     */
    @Override
    public void validate(Config config) {
        boolean counted = config.count() != null && config.timeWindow() != null;
        if (!counted && config.rules() == null) {
            throw new IllegalArgumentException("value should match only one schema, but matches none");
        }
        if (config.rules() != null && (config.count() != null || config.timeWindow() != null)) {
            throw new IllegalArgumentException("count/time_window and rules cannot be specified at the same time");
        }
        if (config.group() != null && config.rules() != null) {
            throw new IllegalArgumentException("group and rules cannot be specified at the same time");
        }
        Limits.localPolicy(config.policy(), "local");
        if (config.rules() != null) {
            throw new IllegalArgumentException("rules: " + config.rules().size() + " rules (expected: count and"
                    + " time_window; rules are not supported yet)");
        }
        if (config.group() != null) {
            throw new IllegalArgumentException("group: \"" + config.group() + "\" (expected: no group; counters"
                    + " shared by a group of routes are not supported yet)");
        }
        if (!config.windowType().equals("fixed")) {
            throw Arguments.invalid("window_type", "\"" + config.windowType()
                    + "\"", "fixed; sliding windows are not supported yet");
        }
        positive("count", config.count());
        positive("time_window", config.timeWindow());
        LimitKey.of(config.keyType(), config.key());
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        Metadata names = context.metadata(Metadata.class).orElse(Metadata.DEFAULTS);
        return LimitCountPlugin.create(config, positive("count", config.count()),
                positive("time_window", config.timeWindow()), LimitKey.of(config.keyType(), config.key()),
                names, context.clock());
    }

    private static long positive(String field, @Nullable Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException(field + ": \"" + value + "\" (expected: an integer > 0; variables in "
                + field + " are not supported yet)");
    }
}
