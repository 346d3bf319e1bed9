package io.gatekit.plugins.rewrite;

import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.match.VarsExpression;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code response-rewrite}: changes the response the client gets, as APISIX's plugin of the same
 * name (priority 899, APISIX's schema and error texts).
 *
 * <pre>{@code
 * "response-rewrite": {
 *   "status_code": 200,
 *   "headers": {"add": ["X-Via: gatekit"], "set": {"X-Route": "$route_id"}, "remove": ["Server"]},
 *   "body": "{\"ok\": true}",                        // or "body_base64": true with base64 text
 *   "filters": [{"regex": "hello", "replace": "hi", "scope": "global", "options": "jo"}],
 *   "vars": [["status", "==", 500]]                  // only responses that satisfy it are changed
 * }
 * }</pre>
 *
 * <p>{@code body} and {@code filters} (one or the other) change the body as it streams: a new
 * body replaces the upstream's at its end; filters gather the body up to
 * {@code max_resp_body_size} (what is past it is cut, as in APISIX), decode gzip or deflate, and
 * substitute. Either removes {@code Content-Length}, {@code Content-Encoding}, {@code ETag} and
 * {@code Last-Modified}, which no longer describe the body. A body in an encoding the plugin
 * cannot decode ({@code br}, say) is left as it is, headers included, and logged (APISIX drops the
 * encoding header and sends the compressed bytes). Regexes are Java's; the options letters are
 * PCRE's {@code i}, {@code m}, {@code s}, {@code x}, {@code u}, {@code a} (anchored) and the
 * no-ops {@code j}, {@code o}, {@code J}, {@code D}; others are refused. The second form of
 * {@code headers} must be an object (APISIX's schema lets any value through there and fails later).
 */
public final class ResponseRewriteFactory extends SimplePluginFactory<ResponseRewriteFactory.Config> {

    private static final String SET_VALUES = """
            {"^[^:]+$": {"oneOf": [{"type": "string"}, {"type": "number"}]}}""";

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "max_resp_body_size": {"type": "integer", "minimum": 1, "default": 67108864,
                 "description": "maximum response body size in bytes buffered into memory when filters are applied; larger responses are truncated"},
               "headers": {"description": "new headers for response",
                 "anyOf": [
                   {"type": "object", "minProperties": 1, "patternProperties": %1$s},
                   {"type": "object",
                    "properties": {
                      "add": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[^:]+:[^:]*[^/]$"}},
                      "set": {"type": "object", "minProperties": 1, "patternProperties": %1$s},
                      "remove": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[^:]+$"}}}}]},
               "body": {"description": "new body for response", "type": "string"},
               "body_base64": {"description": "whether new body for response need base64 decode before return",
                               "type": "boolean", "default": false},
               "status_code": {"description": "new status code for response", "type": "integer",
                               "minimum": 200, "maximum": 598},
               "vars": {"type": "array"},
               "filters": {"description": "a group of filters that modify response bodyby replacing one specified string by another",
                 "type": "array", "minItems": 1,
                 "items": {"description": "filter that modifies response body", "type": "object",
                   "required": ["regex", "replace"],
                   "properties": {
                     "regex": {"description": "match pattern on response body", "type": "string", "minLength": 1},
                     "scope": {"description": "regex substitution range", "type": "string",
                               "enum": ["once", "global"], "default": "once"},
                     "replace": {"description": "regex substitution content", "type": "string"},
                     "options": {"description": "regex options", "type": "string", "default": "jo"}}}}
             },
             "dependencies": {"body": {"not": {"required": ["filters"]}},
                              "filters": {"not": {"required": ["body"]}}}}""".formatted(SET_VALUES);

    /**
     * The config, as APISIX's JSON.
     *
     * @param maxRespBodySize the most of a body the filters gather; the rest is cut
     * @param headers         {@code add} (a list of {@code "Name: value"}), {@code set}, {@code remove}; or the flat form
     * @param body            the new body
     * @param bodyBase64      whether {@code body} is base64
     * @param statusCode      the new status
     * @param vars            which responses to change; all when absent
     * @param filters         regex substitutions on the body
     */
    public record Config(long maxRespBodySize, @Nullable Map<String, Object> headers, @Nullable String body,
            boolean bodyBase64, @Nullable Integer statusCode, @Nullable VarsExpression vars,
            @Nullable List<Filter> filters) {
    }

    /**
     * One body substitution.
     *
     * @param regex   what to find
     * @param scope   {@code once} or {@code global}
     * @param replace the replacement, {@code $0}, {@code $1}, {@code ${1}} for groups
     * @param options PCRE option letters
     */
    public record Filter(String regex, String scope, String replace, String options) {
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public ResponseRewriteFactory() {
        super("response-rewrite", 899, SCHEMA, Config.class);
    }

    @Override
    public void validate(Config config) {
        RewriteHeaders.response(config.headers());
        newBody(config);
        substitutions(config.filters());
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        return new ResponseRewritePlugin(config, RewriteHeaders.response(config.headers()), newBody(config),
                substitutions(config.filters()), context.logger());
    }

    /** The new body as bytes, or null; base64 is decoded here, with APISIX's message when it is not base64. */
    static byte @Nullable [] newBody(Config config) {
        if (config.bodyBase64()) {
            if (config.body() == null || config.body().isEmpty()) {
                throw new IllegalArgumentException("invalid base64 content");
            }
            try {
                return Base64.getDecoder().decode(config.body());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid base64 content");
            }
        }
        return config.body() == null ? null : config.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static List<ResponseRewritePlugin.Substitution> substitutions(@Nullable List<Filter> filters) {
        if (filters == null) {
            return List.of();
        }
        List<ResponseRewritePlugin.Substitution> out = new ArrayList<>();
        for (Filter filter : filters) {
            try {
                Pattern pattern = compile(filter.regex(), filter.options());
                NgxReplacement replacement = NgxReplacement.parse(filter.replace(), pattern.matcher("").groupCount());
                out.add(new ResponseRewritePlugin.Substitution(pattern, replacement, filter.scope().equals("global")));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("regex \"" + filter.regex() + "\" validation failed: "
                        + e.getDescription() + " at " + e.getIndex());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("regex \"" + filter.regex() + "\" validation failed: "
                        + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** A PCRE regex with ngx.re option letters, as a Java pattern. */
    static Pattern compile(String regex, String options) {
        int flags = 0;
        boolean anchored = false;
        for (char c : options.toCharArray()) {
            switch (c) {
                case 'i' -> flags |= Pattern.CASE_INSENSITIVE;
                case 'm' -> flags |= Pattern.MULTILINE;
                case 's' -> flags |= Pattern.DOTALL;
                case 'x' -> flags |= Pattern.COMMENTS;
                case 'u' -> flags |= Pattern.UNICODE_CASE;
                case 'a' -> anchored = true;
                case 'j', 'o', 'J', 'D' -> { } // JIT, compile once, duplicate names: nothing to do here
                default -> throw new IllegalArgumentException("options: \"" + options + "\" has '" + c
                        + "' (expected: letters of i, m, s, x, u, a, j, o, J, D)");
            }
        }
        return Pattern.compile(anchored ? "\\G(?:" + regex + ")" : regex, flags);
    }
}
