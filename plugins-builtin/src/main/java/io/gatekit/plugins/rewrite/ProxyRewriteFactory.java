package io.gatekit.plugins.rewrite;

import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code proxy-rewrite}: rewrites the request the upstream gets, as APISIX's plugin of the same
 * name (priority 1008, APISIX's schema and error texts).
 *
 * <pre>{@code
 * "proxy-rewrite": {
 *   "uri": "/v2$uri",                       // or "regex_uri": ["^/api/(.*)", "/$1"]
 *   "method": "POST",
 *   "host": "internal.example.com",
 *   "headers": {"add": {"X-Trace": ["a", "b"]}, "set": {"X-User": "$http_x_user"}, "remove": ["Cookie"]},
 *   "use_real_request_uri_unsafe": false
 * }
 * }</pre>
 *
 * <p>{@code uri} and header values may hold {@code $var} references, header values also
 * {@code $1}.. for the groups of the {@code regex_uri} that matched. {@code headers} also takes
 * APISIX's older flat form, {@code {"X-Name": "value"}}, which sets each header. {@code host}
 * sets the Host header the upstream gets while the upstream's {@code pass_host} is
 * {@code pass} (the default), as in APISIX, where {@code node} and {@code rewrite} win over it.
 * Regexes are Java's, which agree with PCRE on common patterns.
 */
public final class ProxyRewriteFactory extends SimplePluginFactory<ProxyRewriteFactory.Config> {

    /** The methods of APISIX's enum, in its source order. */
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "MKCOL",
            "COPY", "MOVE", "PROPFIND", "LOCK", "UNLOCK", "PATCH", "TRACE");

    private static final String VALUE_FORMS = """
            {"oneOf": [{"type": "string"}, {"type": "number"},
                       {"type": "array", "minItems": 1,
                        "items": {"oneOf": [{"type": "string"}, {"type": "number"}]}}]}""";

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "uri": {"description": "new uri for upstream", "type": "string", "minLength": 1,
                       "maxLength": 4096, "pattern": "^\\\\/.*"},
               "method": {"description": "proxy route method", "type": "string", "enum": %1$s},
               "regex_uri": {"description": "new uri that substitute from client uri for upstream, lower priority than uri property",
                             "type": "array", "minItems": 2, "items": {"description": "regex uri", "type": "string"}},
               "host": {"description": "new host for upstream", "type": "string",
                        "pattern": "^[0-9a-zA-Z-.]+(:\\\\d{1,5})?$"},
               "headers": {"description": "new headers for request",
                 "oneOf": [
                   {"type": "object", "minProperties": 1, "additionalProperties": false,
                    "properties": {
                      "add": {"type": "object", "minProperties": 1, "patternProperties": {"^[^:]+$": %2$s}},
                      "set": {"type": "object", "minProperties": 1, "patternProperties": {"^[^:]+$": %2$s}},
                      "remove": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[^:]+$"}}}},
                   {"type": "object", "minProperties": 1,
                    "patternProperties": {"^[^:]+$": {"oneOf": [{"type": "string"}, {"type": "number"}]}}}]},
               "use_real_request_uri_unsafe": {"description": "use real_request_uri instead, THIS IS VERY UNSAFE.",
                                               "type": "boolean", "default": false}
             },
             "minProperties": 1}""".formatted(jsonArray(METHODS), VALUE_FORMS);

    /**
     * The config, as APISIX's JSON; {@code headers} is either form.
     *
     * @param uri                     the new path (and query), with {@code $var} references
     * @param method                  the new method
     * @param regexUri                regex, replacement, regex, replacement...; the first that matches applies
     * @param host                    the new Host header
     * @param headers                 {@code add}/{@code set}/{@code remove}, or the flat form
     * @param useRealRequestUriUnsafe rewrite the raw request URI, query included, with no encoding
     */
    public record Config(@Nullable String uri, @Nullable String method, @Nullable List<String> regexUri,
            @Nullable String host, @Nullable Map<String, Object> headers, boolean useRealRequestUriUnsafe) {
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public ProxyRewriteFactory() {
        super("proxy-rewrite", 1008, SCHEMA, Config.class);
    }

    @Override
    public void validate(Config config) {
        regexes(config.regexUri());
        RewriteHeaders.request(config.headers());
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        return new ProxyRewritePlugin(config, regexes(config.regexUri()), RewriteHeaders.request(config.headers()));
    }

    /** The compiled {@code regex_uri} pairs, with APISIX's messages for what does not compile. */
    static List<ProxyRewritePlugin.RegexRule> regexes(@Nullable List<String> regexUri) {
        if (regexUri == null) {
            return List.of();
        }
        if (regexUri.size() % 2 != 0) {
            throw new IllegalArgumentException("The length of regex_uri should be an even number");
        }
        List<ProxyRewritePlugin.RegexRule> rules = new ArrayList<>();
        for (int i = 0; i < regexUri.size(); i += 2) {
            String regex = regexUri.get(i);
            String replacement = regexUri.get(i + 1);
            try {
                Pattern pattern = Pattern.compile(regex);
                int groups = pattern.matcher("").groupCount();
                rules.add(new ProxyRewritePlugin.RegexRule(pattern, NgxReplacement.parse(replacement, groups)));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid regex_uri(" + regex + ", " + replacement + "): "
                        + e.getDescription() + " at " + e.getIndex());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid regex_uri(" + regex + ", " + replacement + "): "
                        + e.getMessage());
            }
        }
        return List.copyOf(rules);
    }

    static String jsonArray(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }
}
