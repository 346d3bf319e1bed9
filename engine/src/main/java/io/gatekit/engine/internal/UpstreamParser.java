package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Upstream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Turns a validated APISIX upstream object into an {@link Upstream}. */
final class UpstreamParser {

    private UpstreamParser() {
    }

    static Upstream parse(@Nullable String id, JsonNode json) {
        return new Upstream(id, nodes(json.path("nodes")), json.path("type").asText("roundrobin"),
                json.path("hash_on").asText("vars"), text(json, "key"),
                json.has("retries") ? json.get("retries").asInt() : null,
                json.has("retry_timeout") ? json.get("retry_timeout").asDouble() : null, timeouts(json.get("timeout")),
                json.path("pass_host").asText("pass"), text(json, "upstream_host"),
                json.path("scheme").asText("http"));
    }

    static Upstream.@Nullable Timeouts timeouts(@Nullable JsonNode json) {
        if (json == null || !json.isObject()) {
            return null;
        }
        return new Upstream.Timeouts(json.path("connect").asDouble(60), json.path("send").asDouble(60),
                json.path("read").asDouble(60));
    }

    private static List<Upstream.Node> nodes(JsonNode json) {
        List<Upstream.Node> nodes = new ArrayList<>();
        if (json.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = json.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                nodes.add(fromAddress(e.getKey(), e.getValue().asInt(1)));
            }
        } else if (json.isArray()) {
            for (JsonNode node : json) {
                String host = node.path("host").asText();
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                nodes.add(new Upstream.Node(host, node.path("port").asInt(80), node.path("weight").asInt(1),
                        node.path("priority").asInt(0)));
            }
        }
        return nodes;
    }

    /** Parses {@code host:port}, {@code [v6]:port} or a bare host (port 80). */
    static Upstream.Node fromAddress(String address, int weight) {
        String host = address;
        int port = 80;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            host = address.substring(1, close);
            if (close + 1 < address.length() && address.charAt(close + 1) == ':') {
                port = Integer.parseInt(address.substring(close + 2));
            }
        } else {
            int colon = address.lastIndexOf(':');
            if (colon > 0 && address.indexOf(':') == colon) {
                host = address.substring(0, colon);
                port = Integer.parseInt(address.substring(colon + 1));
            }
        }
        return new Upstream.Node(host, port, weight, 0);
    }

    private static @Nullable String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
