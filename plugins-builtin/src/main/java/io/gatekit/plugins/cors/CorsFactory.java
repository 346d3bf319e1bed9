package io.gatekit.plugins.cors;

import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code cors}: answers preflight requests and adds CORS headers to responses, as APISIX's plugin
 * of the same name (priority 4000, same schema and metadata schema, same error texts).
 *
 * <pre>{@code
 * "cors": {"allow_origins": "https://a.example,https://b.example", "allow_methods": "GET,POST",
 *          "allow_headers": "Authorization", "expose_headers": "X-Total", "max_age": 600,
 *          "allow_credential": true}
 * }</pre>
 *
 * <p>As APISIX: every {@code OPTIONS} request on the route is answered 200 with an empty body;
 * {@code *} allows any origin, {@code **} any origin even with credentials; a comma-separated list
 * allows the request's {@code Origin} when it is listed; {@code allow_origins_by_regex} (Java
 * regexes, found anywhere in the origin) replaces {@code allow_origins};
 * {@code allow_origins_by_metadata} names lists in this plugin's {@code plugin_metadata}
 * ({@code {"allow_origins": {"key": "https://a.example,..."}}}). With {@code allow_credential},
 * {@code *} is refused in every other option.
 */
public final class CorsFactory extends SimplePluginFactory<CorsFactory.Config> {

    static final String ORIGINS_PATTERN = "^(\\\\*|\\\\*\\\\*|null|\\\\w+://[^,]+(,\\\\w+://[^,]+)*)$";

    private static final String REGEX_LIST = """
            {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 4096},
             "minItems": 1, "uniqueItems": true}""";

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "allow_origins": {"type": "string", "pattern": "%1$s", "default": "*"},
               "allow_methods": {"type": "string", "default": "*"},
               "allow_headers": {"type": "string", "default": "*"},
               "expose_headers": {"type": "string"},
               "max_age": {"type": "integer", "default": 5},
               "allow_credential": {"type": "boolean", "default": false},
               "allow_origins_by_regex": %2$s,
               "allow_origins_by_metadata": %2$s,
               "timing_allow_origins": {"type": "string", "pattern": "%1$s"},
               "timing_allow_origins_by_regex": %2$s
             }}""".formatted(ORIGINS_PATTERN, REGEX_LIST);

    private static final String METADATA_SCHEMA = """
            {"type": "object",
             "properties": {
               "allow_origins": {"type": "object",
                                 "additionalProperties": {"type": "string", "pattern": "%s"}}
             }}""".formatted(ORIGINS_PATTERN);

    /**
     * The config, as APISIX's JSON.
     *
     * @param allowOrigins               {@code *}, {@code **}, {@code null} or comma-separated origins
     * @param allowMethods               {@code Access-Control-Allow-Methods}; {@code **} for all
     * @param allowHeaders               {@code Access-Control-Allow-Headers}; {@code **} echoes the request's
     * @param exposeHeaders              {@code Access-Control-Expose-Headers}
     * @param maxAge                     {@code Access-Control-Max-Age}
     * @param allowCredential            sends {@code Access-Control-Allow-Credentials: true}
     * @param allowOriginsByRegex        origins allowed by regex, instead of {@code allow_origins}
     * @param allowOriginsByMetadata     keys of origin lists in the plugin metadata
     * @param timingAllowOrigins         origins that get {@code Timing-Allow-Origin}
     * @param timingAllowOriginsByRegex  the same by regex
     */
    public record Config(String allowOrigins, String allowMethods, String allowHeaders, @Nullable String exposeHeaders,
            int maxAge, boolean allowCredential, @Nullable List<String> allowOriginsByRegex,
            @Nullable List<String> allowOriginsByMetadata, @Nullable String timingAllowOrigins,
            @Nullable List<String> timingAllowOriginsByRegex) {
    }

    /**
     * The plugin metadata.
     *
     * @param allowOrigins named origin lists
     */
    public record Metadata(@Nullable Map<String, String> allowOrigins) {
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public CorsFactory() {
        super("cors", 4000, SCHEMA, Config.class, METADATA_SCHEMA, Metadata.class);
    }

    @Override
    public void validate(Config config) {
        if (config.allowCredential() && ("*".equals(config.allowOrigins()) || "*".equals(config.allowMethods())
                || "*".equals(config.allowHeaders()) || "*".equals(config.exposeHeaders())
                || "*".equals(config.timingAllowOrigins()))) {
            throw new IllegalArgumentException("you can not set '*' for other option when 'allow_credential' is true");
        }
        regex("allow_origins_by_regex", config.allowOriginsByRegex());
        regex("timing_allow_origins_by_regex", config.timingAllowOriginsByRegex());
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        Metadata metadata = context.metadata(Metadata.class).orElse(null);
        return new CorsPlugin(config, regex("allow_origins_by_regex", config.allowOriginsByRegex()),
                regex("timing_allow_origins_by_regex", config.timingAllowOriginsByRegex()),
                metadata == null || metadata.allowOrigins() == null ? Map.of() : metadata.allowOrigins());
    }

    /** The regexes joined with {@code |}, as APISIX matches them, or null when there are none. */
    static @Nullable Pattern regex(String field, @Nullable List<String> rules) {
        if (rules == null) {
            return null;
        }
        for (int i = 0; i < rules.size(); i++) {
            try {
                Pattern.compile(rules.get(i));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(field + "[" + i + "]: \"" + rules.get(i) + "\" (expected: a regex; "
                        + e.getDescription() + " at " + e.getIndex() + ")");
            }
        }
        return Pattern.compile(String.join("|", rules));
    }
}
