package io.gatekit.engine.internal.schema;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cross-field rules of resources that JSON Schema states badly, checked in code on a document
 * that already passed its {@link ResourceSchemas schema}. Each violation's message is APISIX's
 * text where APISIX has one (apache/apisix {@code apisix/upstream.lua},
 * {@code check_upstream_conf}):
 * <pre>
 * /upstream_host  passHost  `upstream_host` can't be empty when `pass_host` is `rewrite`
 * /key            chashKey  missing key
 * /nodes/h:70000  nodePort  invalid port 70000
 * /key            pattern   failed to match pattern "^((uri|server_name|...)|arg_[0-9a-zA-z_-]+)$" with "x"
 * ""              required  at least one of "plugins", "upstream", "upstream_id" or "service_id" is required
 * </pre>
 * The last one replaces APISIX's ten-branch {@code anyOf} ("object matches none of the required:
 * [...] or [...]") on routes. Rules not named after a JSON Schema keyword carry APISIX's whole
 * {@code error_msg} (see {@link ApisixErrors#resourceError}).
 */
public final class ResourceChecks {

    /** chash key for {@code hash_on: vars} (APISIX {@code upstream_hash_vars_schema}). */
    static final String VARS_KEY = "^((uri|server_name|server_addr|request_uri|remote_port"
            + "|remote_addr|query_string|host|hostname)|arg_[0-9a-zA-z_-]+)$";
    /** chash key for {@code hash_on: header | cookie} (APISIX {@code upstream_hash_header_schema}). */
    static final String HEADER_KEY = "^[a-zA-Z0-9-_]+$";

    private static final Pattern VARS_KEY_PATTERN = Pattern.compile(VARS_KEY);
    private static final Pattern HEADER_KEY_PATTERN = Pattern.compile(HEADER_KEY);

    private ResourceChecks() {
    }

    /**
     * The violations of the cross-field rules of resource {@code kind} ({@code routes},
     * {@code services}, {@code upstreams}, ...) in {@code document}; empty for kinds without such
     * rules. Pointers are relative to {@code document}.
     */
    public static List<Violation> check(String kind, JsonNode document) {
        requireNonNull(kind, "kind");
        requireNonNull(document, "document");
        List<Violation> out = new ArrayList<>();
        switch (kind) {
            case "upstreams" -> upstream(document, "", out);
            case "routes" -> {
                route(document, out);
                upstream(document.path("upstream"), "/upstream", out);
            }
            case "services" -> upstream(document.path("upstream"), "/upstream", out);
            case "ssls" -> SslChecks.check(document, out);
            default -> {
                // no cross-field rules
            }
        }
        return out;
    }

    private static final Pattern NODE_HOST = Pattern.compile("^(\\*?[0-9a-zA-Z-._]+|\\[[0-9a-fA-F:.]+\\])$");

    /**
     * The keys of the {@code {"host:port": weight}} form: the schema cannot see inside a key, and
     * a key that is not an address would only fail once a request is balanced onto it.
     */
    private static void nodeAddresses(JsonNode nodes, String at, List<Violation> out) {
        if (!nodes.isObject()) {
            return;
        }
        nodes.fieldNames().forEachRemaining(address -> {
            Integer port = portOutOfRange(address);
            if (port != null) {
                // APISIX's check_upstream_conf text for the one case it checks itself
                out.add(new Violation(at + "/" + address.replace("~", "~0").replace("/", "~1"), "nodePort",
                        "invalid port " + port));
            } else if (!validAddress(address)) {
                out.add(new Violation(at + "/" + address.replace("~", "~0").replace("/", "~1"), "nodeAddress",
                        "invalid node address " + LuaText.quote(address)
                                + " (expected: host, host:port or [ipv6]:port with a port of 1..65535)"));
            }
        });
    }

    /** The port of a {@code host:port} or {@code [v6]:port} key when it is a number outside 1..65535. */
    private static @Nullable Integer portOutOfRange(String address) {
        String port;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0 || close + 1 >= address.length() || address.charAt(close + 1) != ':') {
                return null;
            }
            port = address.substring(close + 2);
        } else {
            int colon = address.indexOf(':');
            if (colon < 0 || colon != address.lastIndexOf(':')) {
                return null;
            }
            port = address.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 9 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        int value = Integer.parseInt(port);
        return value < 1 || value > 65535 ? value : null;
    }

    private static boolean validAddress(String address) {
        String host = address;
        String port = null;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = address.substring(0, close + 1);
            String rest = address.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return false;
                }
                port = rest.substring(1);
            }
        } else {
            int colon = address.lastIndexOf(':');
            if (colon >= 0) {
                host = address.substring(0, colon);
                port = address.substring(colon + 1);
            }
        }
        if (!NODE_HOST.matcher(host).matches()) {
            return false;
        }
        if (port == null) {
            return true;
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int value = Integer.parseInt(port);
        return value >= 1 && value <= 65535;
    }

    private static void route(JsonNode route, List<Violation> out) {
        if (!route.has("plugins") && !route.has("upstream") && !route.has("upstream_id")
                && !route.has("service_id")) {
            out.add(new Violation("", "required",
                    "at least one of \"plugins\", \"upstream\", \"upstream_id\" or \"service_id\" is required"));
        }
        if (route.has("filter_func")) {
            // APISIX runs it as Lua to decide whether the route matches; ignoring it would match
            // requests the route was written to turn away
            out.add(new Violation("/filter_func", "filterFunc", "filter_func: a Lua function is not supported "
                    + "(expected: no filter_func; match with vars, e.g. [[\"arg_debug\", \"~=\", \"\"]])"));
        }
    }

    /**
     * Violations naming the fields behind a failed {@code oneOf} of resource {@code kind} (uri or
     * uris, host or hosts, nodes or discovery): the schema's own message only numbers the
     * branches. Meant to be listed next to the schema violations.
     */
    public static List<Violation> alternatives(String kind, JsonNode document) {
        requireNonNull(kind, "kind");
        List<Violation> out = new ArrayList<>();
        if (!document.isObject()) {
            return out;
        }
        switch (kind) {
            case "routes" -> {
                exactlyOne(document, "", "uri", "uris", out);
                atMostOne(document, "", "host", "hosts", out);
                atMostOne(document, "", "remote_addr", "remote_addrs", out);
                nodesOrDiscovery(document.path("upstream"), "/upstream", out);
            }
            case "services" -> nodesOrDiscovery(document.path("upstream"), "/upstream", out);
            case "upstreams" -> nodesOrDiscovery(document, "", out);
            default -> {
                // no alternatives
            }
        }
        return out;
    }

    private static void exactlyOne(JsonNode doc, String at, String one, String other, List<Violation> out) {
        if (!doc.has(one) && !doc.has(other)) {
            out.add(new Violation(at + "/" + one, "required", one + " or " + other + ": neither is set (expected: "
                    + "exactly one of them)"));
        } else {
            atMostOne(doc, at, one, other, out);
        }
    }

    private static void atMostOne(JsonNode doc, String at, String one, String other, List<Violation> out) {
        if (doc.has(one) && doc.has(other)) {
            out.add(new Violation(at + "/" + other, "oneOf", one + " and " + other + ": both are set (expected: "
                    + "at most one of them)"));
        }
    }

    private static void nodesOrDiscovery(JsonNode upstream, String at, List<Violation> out) {
        if (!upstream.isObject()) {
            return;
        }
        boolean discovery = upstream.has("service_name") || upstream.has("discovery_type");
        if (!upstream.has("nodes") && !discovery) {
            out.add(new Violation(at + "/nodes", "required", "nodes: missing (expected: nodes, or service_name "
                    + "with discovery_type)"));
        } else if (upstream.has("nodes") && discovery) {
            out.add(new Violation(at + "/nodes", "oneOf", "nodes and service_name/discovery_type: both are set "
                    + "(expected: one of them)"));
        }
    }

    private static void upstream(JsonNode upstream, String at, List<Violation> out) {
        if (!upstream.isObject()) {
            return;
        }
        nodeAddresses(upstream.path("nodes"), at + "/nodes", out);
        boolean rewrite = upstream.path("pass_host").asText().equals("rewrite");
        if (rewrite && upstream.path("upstream_host").asText("").isEmpty()) {
            out.add(new Violation(at + "/upstream_host", "passHost",
                    "`upstream_host` can't be empty when `pass_host` is `rewrite`"));
        }
        if (!upstream.path("type").asText().equals("chash")) {
            return;
        }
        String hashOn = upstream.path("hash_on").asText("vars");
        JsonNode key = upstream.get("key");
        if (!hashOn.equals("consumer") && (key == null || key.isNull())) {
            out.add(new Violation(at + "/key", "chashKey", "missing key"));
            return;
        }
        String pattern = switch (hashOn) {
            case "vars" -> VARS_KEY;
            case "header", "cookie" -> HEADER_KEY;
            default -> null;
        };
        if (pattern != null && key != null) {
            Pattern compiled = pattern.equals(VARS_KEY) ? VARS_KEY_PATTERN : HEADER_KEY_PATTERN;
            if (!compiled.matcher(key.asText()).find()) {
                out.add(new Violation(at + "/key", "pattern", "failed to match pattern "
                        + LuaText.quote(pattern) + " with " + LuaText.quote(key.asText())));
            }
        }
    }
}
