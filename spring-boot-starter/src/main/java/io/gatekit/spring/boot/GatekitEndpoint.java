package io.gatekit.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Explanation;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code gatekit} Actuator endpoint, read-only:
 *
 * <ul>
 *   <li>{@code GET /actuator/gatekit}: the config source, the version in force and every route as
 *       configured (secrets redacted as the Admin API redacts them);</li>
 *   <li>{@code GET /actuator/gatekit/explain?uri=/hello&method=GET&host=example.com&header=Name:Value}
 *       ({@code header} repeatable, {@code consumer} optional): {@link Engine#explain} of that
 *       request, in the gateway's {@code /apisix/admin/explain} shape: the matched route and, per
 *       phase, the plugins that run in order, with where each config came from, and the skipped
 *       ones with the reason.</li>
 * </ul>
 *
 * Expose it as any endpoint: {@code management.endpoints.web.exposure.include=health,gatekit}.
 */
@Endpoint(id = "gatekit")
public final class GatekitEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final GatekitConfig config;

    GatekitEndpoint(Engine engine, GatekitConfig config) {
        this.engine = engine;
        this.config = config;
    }

    /** The config source, the version in force and every route. */
    @ReadOperation
    public Map<String, Object> routes() {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("config", config.description());
        answer.put("version", engine.version());
        answer.put("routes", engine.list(ResourceKind.ROUTES).stream().map(this::route).toList());
        return answer;
    }

    /**
     * What would run for the request described by the arguments; a bad argument answers 400 naming
     * it. Spring's {@code @Nullable} is what tells Actuator that an argument may be left out.
     *
     * @param query    {@code explain}; anything else answers 404
     * @param uri      the request's path and query, e.g. {@code /hello?a=1}; required
     * @param method   the method; default {@code GET}
     * @param host     the Host header
     * @param scheme   {@code http} (default) or {@code https}
     * @param header   headers as {@code Name:Value}, repeatable; Actuator splits a value at commas,
     *                 so a value holding one cannot be given here (the gateway's explain takes it)
     * @param consumer the username of a consumer, to see its plugins and its group's laid over the
     *                 route's
     * @return the explanation, or {@code null} (404) for another {@code query}
     */
    @ReadOperation
    public @Nullable Map<String, Object> explain(@Selector String query, @org.springframework.lang.Nullable String uri,
            @org.springframework.lang.Nullable String method, @org.springframework.lang.Nullable String host,
            @org.springframework.lang.Nullable String scheme, @org.springframework.lang.Nullable List<String> header,
            @org.springframework.lang.Nullable String consumer) {
        if (!query.equals("explain")) {
            return null;
        }
        HttpRequest request = request(uri, method, host, scheme, header);
        Explanation why;
        try {
            why = consumer == null ? engine.explain(request) : engine.explain(request, consumer);
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), "consumer: " + consumer
                    + " (expected: the username of a configured consumer)");
        }
        return render(request, why);
    }

    private Map<String, Object> route(Resource resource) {
        Resource shown = engine.redact(resource);
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("id", shown.id());
        route.put("value", parse(shown.json()));
        route.put("modifiedIndex", shown.modifiedIndex());
        return route;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpRequest request(@Nullable String uri, @Nullable String method, @Nullable String host,
            @Nullable String scheme, @Nullable List<String> headers) {
        if (uri == null || !uri.startsWith("/")) {
            throw invalid("uri: " + uri + " (expected: the request path, starting with /, e.g. /hello?a=1)");
        }
        HttpRequest.Builder builder = HttpRequest.builder().uri(uri);
        if (method != null) {
            if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                throw invalid("method: " + method + " (expected: an HTTP method such as GET)");
            }
            builder.method(method);
        }
        if (scheme != null) {
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw invalid("scheme: " + scheme + " (expected: http or https)");
            }
            builder.scheme(scheme);
        }
        if (host != null) {
            builder.host(host);
        }
        for (String header : headers == null ? List.<String>of() : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0 || header.substring(0, colon).isBlank()) {
                throw invalid("header: " + header + " (expected: Name:Value, e.g. X-Api-Version:v2)");
            }
            builder.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        return builder.build();
    }

    private static InvalidEndpointRequestException invalid(String message) {
        return new InvalidEndpointRequestException(message, message);
    }

    /** The gateway's {@code /apisix/admin/explain} shape, so one reading serves both. */
    private static Map<String, Object> render(HttpRequest request, Explanation why) {
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("method", request.method());
        echo.put("uri", request.uri());
        echo.put("host", request.host());
        echo.put("scheme", request.scheme());
        echo.put("remote_addr", request.remoteIp());
        Map<String, Object> phases = new LinkedHashMap<>();
        for (Phase phase : Phase.values()) {
            phases.put(phase.apisixName(), why.phases().getOrDefault(phase, List.of()).stream().map(step -> {
                Map<String, Object> shown = new LinkedHashMap<>();
                shown.put("name", step.plugin());
                shown.put("priority", step.priority());
                shown.put("origin", step.origin().label());
                shown.put("origin_id", step.originId());
                shown.put("filter", step.filter() == null ? null : filter(step.filter()));
                shown.put("filter_matches", step.filterMatches());
                return shown;
            }).toList());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("request", echo);
        answer.put("matched", why.routeId() != null);
        answer.put("route_id", why.routeId());
        answer.put("snapshot_version", why.snapshotVersion());
        answer.put("phases", phases);
        answer.put("skipped", why.skipped().stream().map(skipped -> Map.of("name", skipped.plugin(),
                "origin", skipped.origin().label(), "origin_id", skipped.originId(), "reason", skipped.reason()))
                .toList());
        return answer;
    }

    /** {@code _meta.filter} is JSON (APISIX's vars expression); shown as JSON when it parses. */
    private static Object filter(String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return text;
        }
    }
}
