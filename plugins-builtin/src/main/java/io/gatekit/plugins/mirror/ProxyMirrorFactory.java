package io.gatekit.plugins.mirror;

import io.gatekit.api.Arguments;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.JsonText;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code proxy-mirror}: sends a copy of each sampled request to one or more mirror hosts and
 * ignores their answers, as APISIX's plugin of the same name (priority 1010, same schema, same
 * error texts, same URI composition, Host as the primary upstream receives it).
 *
 * <pre>{@code
 * "proxy-mirror": {
 *   "host": "http://127.0.0.1:9797", "path": "/shadow", "path_concat_mode": "prefix",
 *   "sample_ratio": 0.1,
 *   "targets": [{"host": "https://audit.internal", "sample_ratio": 0.01}],
 *   "timeout": {"connect": 1, "send": 2, "read": 5},
 *   "headers": {"set": {"X-Mirror": "1"}, "remove": ["Authorization"]},
 *   "max_body_size": 1048576, "max_in_flight": 256, "ssl_verify": true
 * }
 * }</pre>
 *
 * <p>Unlike APISIX, the client's response and connection never wait for a copy: the copy is
 * handed to the host's {@link io.gatekit.api.client.HttpClient} at {@code before_proxy}, after
 * every rewrite and access plugin ran, and the request goes on at once. Copies are taken from the
 * request as the upstream gets it, whatever the plugins' priorities. Every field after
 * {@code sample_ratio} is an optional extension; left out, behaviour is APISIX's, except that
 * https mirrors' certificates are verified unless {@code ssl_verify} is {@code false}.
 *
 * <p>A copy carries the method, the headers (hop-by-hop ones aside) and the body as the upstream
 * gets them, and the Host header the upstream receives; {@code headers.remove} then
 * {@code headers.set} change the copy only. Copies carry bodies only when the host buffered them,
 * so the plugin asks for the request body whole unless {@code body} is {@code false}; a body
 * left out ({@code body: false}, or over {@code max_body_size}) is marked on the copy with
 * {@code X-Mirror-Body-Omitted: <length>}. A {@code before_proxy} plugin of lower priority than
 * this one runs after the copy left: give this one a lower {@code _meta.priority} to see its
 * changes. Connection reuse and TLS are the host client's: it pools connections to the mirror,
 * takes SNI and certificate checks from the mirror's host name, and honours the Host header
 * given.
 *
 * <p>{@code grpc://} and {@code grpcs://} hosts are accepted, as APISIX accepts them, so configs
 * written for APISIX load; but copies go over HTTP/1.1, which cannot carry gRPC, so those targets
 * are logged once when the config is applied and each of their copies is counted as failed
 * instead of being sent.
 *
 * <p>Metrics, per route and target: {@code gatekit_mirror_requests_total{route,target,result}}
 * with {@code result} one of {@code sampled}, {@code sent} (the mirror answered, any status),
 * {@code dropped} ({@code max_in_flight} reached), {@code failed} and {@code timed_out};
 * {@code gatekit_mirror_body_omitted_total{route,target}}; and the answer latency
 * {@code gatekit_mirror_latency_seconds{route,target}}.
 */
public final class ProxyMirrorFactory extends SimplePluginFactory<MirrorConfig> {

    private static final String NAME = "proxy-mirror";

    /** APISIX's: just before {@code proxy-rewrite} (1008), which no longer matters here. */
    private static final int PRIORITY = 1010;

    /** APISIX's host pattern, character for character: the error texts quote it. */
    private static final String HOST_PATTERN =
            "^(http(s)?|grpc(s)?):\\/\\/([\\da-zA-Z.-]+|\\[[\\da-fA-F:]+\\])(:\\d+)?$";
    private static final String PATH_PATTERN = "^/[^?&]+$";

    /** The four APISIX fields, shared by the top level and each entry of {@code targets}. */
    private static final String TARGET_PROPERTIES = """
            "host": {"type": "string", "pattern": %s},
            "path": {"type": "string", "pattern": %s},
            "path_concat_mode": {"type": "string", "default": "replace", "enum": ["replace", "prefix"],
                                 "description": "the concatenation mode for custom path"},
            "sample_ratio": {"type": "number", "minimum": 0.00001, "maximum": 1, "default": 1}"""
            .formatted(JsonText.quote(HOST_PATTERN), JsonText.quote(PATH_PATTERN));

    /**
     * APISIX's schema (no {@code additionalProperties}, {@code host} required) plus optional
     * extensions without defaults, so an APISIX config validates, defaults and is stored exactly
     * as in APISIX.
     */
    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               %1$s,
               "targets": {"type": "array", "minItems": 1, "maxItems": %2$d,
                           "items": {"type": "object",
                                     "properties": {%1$s},
                                     "required": ["host"],
                                     "additionalProperties": false}},
               "timeout": {"type": "object",
                           "properties": {"connect": {"type": "number", "exclusiveMinimum": 0},
                                          "send": {"type": "number", "exclusiveMinimum": 0},
                                          "read": {"type": "number", "exclusiveMinimum": 0}},
                           "additionalProperties": false},
               "headers": {"type": "object",
                           "properties": {"set": {"type": "object", "additionalProperties": {"type": "string"}},
                                          "remove": {"type": "array", "uniqueItems": true,
                                                     "items": {"type": "string", "minLength": 1}}},
                           "additionalProperties": false},
               "body": {"type": "boolean"},
               "max_body_size": {"type": "integer", "minimum": 0},
               "max_in_flight": {"type": "integer", "minimum": 1},
               "ssl_verify": {"type": "boolean"}
             },
             "required": ["host"]}""".formatted(TARGET_PROPERTIES, MirrorPlugin.MAX_TARGETS - 1);

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    /** Headers the mirror client manages itself; setting them would corrupt the copy's framing. */
    private static final Set<String> MANAGED = Set.of("connection", "content-length", "expect", "keep-alive",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

    /** Found by {@link java.util.ServiceLoader}. */
    public ProxyMirrorFactory() {
        super(NAME, PRIORITY, SCHEMA, MirrorConfig.class);
    }

    @Override
    public void validate(MirrorConfig config) {
        MirrorConfig.HeaderConfig headers = config.headers();
        if (headers == null) {
            return;
        }
        Map<String, String> set = headers.set() == null ? Map.of() : headers.set();
        set.forEach((name, value) -> {
            checkToken("headers.set", name);
            if (MANAGED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("headers.set: \"" + name
                        + "\" (expected: a header other than " + String.join(", ", sorted(MANAGED))
                        + ", which the mirror client sets itself)");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("headers.set." + name + ": " + JsonText.quote(value)
                        + " (expected: a value without CR, LF or NUL)");
            }
        });
        List<String> remove = headers.remove() == null ? List.of() : headers.remove();
        remove.forEach(name -> checkToken("headers.remove", name));
    }

    @Override
    public Plugin create(MirrorConfig config, PluginContext context) {
        return MirrorPlugin.create(config, context);
    }

    private static void checkToken(String field, String name) {
        if (!TOKEN.matcher(name).matches()) {
            throw Arguments.invalid(field, JsonText.quote(name), "a header name, letters, digits and !#$%&'*+-.^_`|~ only");
        }
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

}
