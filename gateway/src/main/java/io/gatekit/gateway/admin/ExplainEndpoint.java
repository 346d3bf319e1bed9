package io.gatekit.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.QueryParams;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Explanation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code /apisix/admin/explain}: builds a synthetic request from query arguments or a JSON body,
 * and renders {@link Engine#explain} of it (with a consumer, when one is named). The shapes are in
 * {@code docs/admin-api.md}.
 */
final class ExplainEndpoint implements AdminService {

    private final Engine engine;

    ExplainEndpoint(Engine engine) {
        this.engine = engine;
    }

    @Override
    public AdminResponse serve(AdminCall call) {
        String method = call.method();
        QueryParams query = call.query();
        if (!call.rest().isEmpty()) {
            throw AdminError.of(404, "not found");
        }
        HttpRequest request;
        String consumer;
        if (method.equals("GET")) {
            request = fromQuery(query);
            consumer = query.get("consumer");
        } else if (method.equals("POST")) {
            JsonNode body = Json.body(call.body());
            if (body == null) {
                throw AdminError.badRequest("missing request body", "", "required",
                        "the request body is empty (expected: e.g. {\"uri\": \"/hello\", \"method\": \"GET\"})");
            }
            request = fromBody(body);
            consumer = body.path("consumer").isTextual() ? body.get("consumer").textValue() : null;
        } else {
            throw AdminError.notSupported(method, "explain");
        }
        if (consumer == null) {
            return AdminResponse.json(200, render(request, engine.explain(request)));
        }
        try {
            return AdminResponse.json(200, render(request, engine.explain(request, consumer)));
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest("consumer not found", "/consumer", "reference", e.getMessage());
        }
    }

    /** From {@code ?method=&uri=&host=&scheme=&remote_addr=&header=Name:Value...}. */
    static HttpRequest fromQuery(QueryParams query) {
        HttpRequest.Builder builder = start(query.get("method"), query.get("uri"), query.get("scheme"),
                query.get("host"), query.get("remote_addr"));
        for (String header : query.all("header")) {
            int colon = header.indexOf(':');
            if (colon < 0 || header.substring(0, colon).isBlank()) {
                throw AdminError.badRequest("invalid argument header: " + header, "", "header",
                        "header: " + header + " (expected: Name:Value, e.g. X-Api-Version:v2)");
            }
            builder.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        return builder.build();
    }

    /** From {@code {"method", "uri", "host", "scheme", "remote_addr", "headers": {name: value | [values]}}}. */
    static HttpRequest fromBody(JsonNode body) {
        if (!body.isObject()) {
            throw AdminError.badRequest("invalid request body: expected an object", "", "type",
                    "expected a JSON object such as {\"uri\": \"/hello\", \"headers\": {\"X-Api-Version\": \"v2\"}}");
        }
        HttpRequest.Builder builder = start(text(body, "method"), text(body, "uri"), text(body, "scheme"),
                text(body, "host"), text(body, "remote_addr"));
        JsonNode headers = body.path("headers");
        if (!headers.isMissingNode() && !headers.isObject()) {
            throw AdminError.badRequest("invalid argument headers: expected an object", "/headers", "type",
                    "expected an object of header names to a value or an array of values");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = headers.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            List<JsonNode> values = field.getValue().isArray() ? toList(field.getValue()) : List.of(field.getValue());
            for (JsonNode value : values) {
                if (field.getKey().isEmpty() || !value.isValueNode() || value.isNull()) {
                    throw AdminError.badRequest("invalid argument headers: " + field.getKey(),
                            "/headers/" + field.getKey(), "type", "expected a string or an array of strings");
                }
                builder.header(field.getKey(), value.asText());
            }
        }
        return builder.build();
    }

    private static List<JsonNode> toList(JsonNode array) {
        java.util.ArrayList<JsonNode> list = new java.util.ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static @Nullable String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw AdminError.badRequest("invalid argument " + field + ": expected a string", "/" + field, "type",
                    field + ": " + value + " (expected: a string)");
        }
        return value.asText();
    }

    private static HttpRequest.Builder start(@Nullable String method, @Nullable String uri, @Nullable String scheme,
            @Nullable String host, @Nullable String remoteAddr) {
        if (uri == null || !uri.startsWith("/")) {
            throw AdminError.badRequest(uri == null ? "missing argument uri" : "invalid argument uri: " + uri,
                    "", "uri", "uri: " + uri + " (expected: the request path, starting with /, e.g. /hello?a=1)");
        }
        HttpRequest.Builder builder = HttpRequest.builder().uri(uri);
        if (method != null) {
            if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                throw AdminError.badRequest("invalid argument method: " + method, "", "method",
                        "method: " + method + " (expected: an HTTP method such as GET)");
            }
            builder.method(method);
        }
        if (scheme != null) {
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw AdminError.badRequest("invalid argument scheme: " + scheme, "", "scheme",
                        "scheme: " + scheme + " (expected: http or https)");
            }
            builder.scheme(scheme);
        }
        if (host != null) {
            builder.host(host);
        }
        if (remoteAddr != null) {
            builder.remoteAddress(new InetSocketAddress(address(remoteAddr), 0));
        }
        return builder;
    }

    private static InetAddress address(String literal) {
        InetAddress address = IpLiteral.parse(literal);
        if (address == null) {
            throw AdminError.badRequest("invalid argument remote_addr: " + literal, "", "remote_addr",
                    "remote_addr: " + literal + " (expected: an IPv4 or IPv6 address)");
        }
        return address;
    }

    static ObjectNode render(HttpRequest request, Explanation explanation) {
        ObjectNode body = Json.object();
        ObjectNode echo = body.putObject("request");
        echo.put("method", request.method());
        echo.put("uri", request.uri());
        echo.put("host", request.host());
        echo.put("scheme", request.scheme());
        echo.put("remote_addr", request.remoteIp());
        body.put("matched", explanation.routeId() != null);
        if (explanation.routeId() == null) {
            body.putNull("route_id");
        } else {
            body.put("route_id", explanation.routeId());
        }
        body.put("snapshot_version", explanation.snapshotVersion());
        ObjectNode phases = body.putObject("phases");
        for (Phase phase : Phase.values()) {
            ArrayNode steps = phases.putArray(phase.apisixName());
            for (Explanation.Step step : explanation.phases().getOrDefault(phase, List.of())) {
                ObjectNode one = steps.addObject();
                one.put("name", step.plugin());
                one.put("priority", step.priority());
                one.put("origin", step.origin().label());
                one.put("origin_id", step.originId());
                if (step.filter() == null) {
                    one.putNull("filter");
                } else {
                    JsonNode filter = Json.tryParse(step.filter());
                    if (filter == null) {
                        one.put("filter", step.filter());
                    } else {
                        one.set("filter", filter);
                    }
                }
                one.put("filter_matches", step.filterMatches());
            }
        }
        ArrayNode skipped = body.putArray("skipped");
        for (Explanation.Skipped one : explanation.skipped()) {
            skipped.addObject()
                    .put("name", one.plugin())
                    .put("origin", one.origin().label())
                    .put("origin_id", one.originId())
                    .put("reason", one.reason());
        }
        return body;
    }
}
