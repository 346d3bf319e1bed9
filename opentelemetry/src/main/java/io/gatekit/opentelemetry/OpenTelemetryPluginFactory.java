package io.gatekit.opentelemetry;

import io.gatekit.api.CallObserver;
import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import java.util.List;

/**
 * APISIX's {@code opentelemetry} plugin: the calls of the routes that configure it are traced by
 * {@link GatekitTracing}, with APISIX's schema and defaults (priority 12009; {@code sampler} with
 * {@code always_on}, {@code always_off} (the default), {@code trace_id_ratio} and
 * {@code parent_base}; {@code additional_attributes}, {@code additional_header_prefix_attributes}).
 *
 * <pre>{@code
 * "opentelemetry": {"sampler": {"name": "parent_base",
 *                               "options": {"root": {"name": "trace_id_ratio", "options": {"fraction": 0.1}}}},
 *                   "additional_attributes": ["http_x_tenant"]}
 * }</pre>
 *
 * <p>Unlike APISIX, the trace starts before the first plugin of the call, not in this plugin's
 * {@code rewrite}: the plugin follows the whole call ({@link Plugin#observe}), so the server span
 * covers the global rules and every phase, and each plugin phase is a span of its own without
 * {@code apisix.tracing}. A {@code fraction} outside [0, 1] is refused (APISIX documents the range
 * but does not check it).
 */
final class OpenTelemetryPluginFactory extends SimplePluginFactory<OpenTelemetryPluginFactory.Config> {

    static final String NAME = "opentelemetry";

    private static final String RATIO = """
            {"type": "number", "minimum": 0, "maximum": 1, "default": 0}""";

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "sampler": {
                 "type": "object",
                 "properties": {
                   "name": {"type": "string", "enum": ["always_on", "always_off", "trace_id_ratio", "parent_base"],
                            "default": "always_off"},
                   "options": {
                     "type": "object",
                     "properties": {
                       "fraction": %1$s,
                       "root": {
                         "type": "object",
                         "properties": {
                           "name": {"type": "string", "enum": ["always_on", "always_off", "trace_id_ratio"],
                                    "default": "always_off"},
                           "options": {"type": "object", "properties": {"fraction": %1$s},
                                       "default": {"fraction": 0}}
                         },
                         "default": {"name": "always_off", "options": {"fraction": 0}}
                       }
                     },
                     "default": {"fraction": 0, "root": {"name": "always_off"}}
                   }
                 },
                 "default": {"name": "always_off", "options": {"fraction": 0, "root": {"name": "always_off"}}}
               },
               "additional_attributes": {"type": "array", "items": {"type": "string", "minLength": 1}},
               "additional_header_prefix_attributes": {"type": "array", "items": {"type": "string", "minLength": 1}}
             }}""".formatted(RATIO);

    private final GatekitTracing tracing;

    OpenTelemetryPluginFactory(GatekitTracing tracing) {
        super(NAME, 12009, SCHEMA, Config.class);
        this.tracing = tracing;
    }

    /**
     * The plugin's config, as APISIX's JSON.
     *
     * @param sampler                          which calls are traced
     * @param additionalAttributes             request variables added to the server span
     * @param additionalHeaderPrefixAttributes headers (or prefixes, ending in {@code *}) added to it
     */
    record Config(Sampler sampler, @Nullable List<String> additionalAttributes,
            @Nullable List<String> additionalHeaderPrefixAttributes) {
    }

    /**
     * {@code sampler}.
     *
     * @param name    the strategy
     * @param options its parameters
     */
    record Sampler(String name, @Nullable Options options) {
    }

    /**
     * {@code sampler.options}.
     *
     * @param fraction {@code trace_id_ratio}'s ratio
     * @param root     {@code parent_base}'s root sampler
     */
    record Options(@Nullable Double fraction, @Nullable Root root) {
    }

    /**
     * {@code sampler.options.root}.
     *
     * @param name    the root strategy
     * @param options its parameters
     */
    record Root(String name, @Nullable RootOptions options) {
    }

    /**
     * {@code sampler.options.root.options}.
     *
     * @param fraction the root's ratio
     */
    record RootOptions(@Nullable Double fraction) {
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        TraceSampler sampler = sampler(config.sampler());
        List<String> attributes = config.additionalAttributes() == null ? List.of()
                : List.copyOf(config.additionalAttributes());
        List<String> prefixes = config.additionalHeaderPrefixAttributes() == null ? List.of()
                : List.copyOf(config.additionalHeaderPrefixAttributes());
        return new Plugin() {
            @Override
            public @Nullable CallObserver observe(Exchange exchange) {
                return tracing.start(exchange, sampler, attributes, prefixes);
            }

            @Override
            public String toString() {
                return NAME + "[" + sampler + "]";
            }
        };
    }

    /** APISIX's sampler config as a {@link TraceSampler}. */
    static TraceSampler sampler(@Nullable Sampler sampler) {
        if (sampler == null) {
            return TraceSampler.alwaysOff();
        }
        Options options = sampler.options();
        double fraction = options == null || options.fraction() == null ? 0 : options.fraction();
        return switch (sampler.name()) {
            case "always_on" -> TraceSampler.alwaysOn();
            case "trace_id_ratio" -> TraceSampler.traceIdRatio(fraction);
            case "parent_base" -> TraceSampler.parentBased(root(options == null ? null : options.root()));
            default -> TraceSampler.alwaysOff();
        };
    }

    private static TraceSampler root(@Nullable Root root) {
        if (root == null) {
            return TraceSampler.alwaysOff();
        }
        double fraction = root.options() == null || root.options().fraction() == null ? 0 : root.options().fraction();
        return switch (root.name()) {
            case "always_on" -> TraceSampler.alwaysOn();
            case "trace_id_ratio" -> TraceSampler.traceIdRatio(fraction);
            default -> TraceSampler.alwaysOff();
        };
    }
}
