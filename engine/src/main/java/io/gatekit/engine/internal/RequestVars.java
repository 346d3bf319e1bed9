package io.gatekit.engine.internal;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;

/**
 * APISIX/nginx request variables over a call's {@link Exchange}: what {@code vars} on routes,
 * {@code _meta.filter}, the balancer's {@code hash_on: vars} and a runner's {@code Var} read.
 * {@code uri} is nginx's normalized {@code $uri} of the path as received (decoded, dot segments
 * resolved, slashes merged), {@code request_uri} that path with the query as received (as
 * APISIX rewrites it), {@code real_request_uri} the request target exactly as received. A plugin
 * changing the path changes what goes upstream, not these, as in APISIX where
 * {@code proxy-rewrite} sets {@code upstream_uri} and leaves {@code uri} alone. Unknown names
 * are unset ({@code null}).
 */
final class RequestVars {

    private RequestVars() {
    }

    static @Nullable String lookup(DefaultCall exchange, String name) {
        HttpRequest request = exchange.request();
        if (name.startsWith("arg_")) {
            return request.query().get(name.substring(4));
        }
        if (name.startsWith("http_")) {
            return request.headers().get(name.substring(5).replace('_', '-'));
        }
        if (name.startsWith("cookie_")) {
            return cookie(request.headers().get("cookie"), name.substring(7));
        }
        if (name.startsWith("sent_http_")) {
            HttpResponse response = exchange.response();
            return response == null ? null : response.headers().get(name.substring(10).replace('_', '-'));
        }
        return switch (name) {
            case "uri" -> exchange.uri();
            case "request_uri" -> exchange.requestUri();
            case "real_request_uri" -> exchange.realRequestUri();
            case "args", "query_string" -> request.rawQuery();
            case "host" -> request.host();
            case "request_method" -> request.method();
            case "scheme" -> request.scheme();
            case "remote_addr" -> request.remoteIp();
            case "remote_port" -> Integer.toString(request.remoteAddress().getPort());
            case "server_addr" -> request.localAddress().getAddress() == null
                    ? request.localAddress().getHostString() : request.localAddress().getAddress().getHostAddress();
            case "server_port" -> Integer.toString(request.localAddress().getPort());
            case "route_id" -> exchange.routeId();
            case "route_name" -> exchange.route.names().route();
            case "service_id" -> exchange.route.names().serviceId();
            case "service_name" -> exchange.route.names().service();
            case "consumer_name" -> exchange.consumer() == null ? null : exchange.consumer().username();
            case "consumer_group_id" -> exchange.consumer() == null ? null : exchange.consumer().groupId();
            case "status" -> exchange.response() == null ? null : Integer.toString(exchange.response().status());
            case "upstream_status" -> exchange.upstream().status() == 0 ? null
                    : Integer.toString(exchange.upstream().status());
            case "upstream_host" -> exchange.upstream().hostHeader();
            case "upstream_addr" -> exchange.upstream().nodeHost() == null ? null
                    : exchange.upstream().nodeHost() + ":" + exchange.upstream().nodePort();
            default -> null;
        };
    }

    private static @Nullable String cookie(@Nullable String header, String name) {
        if (header == null) {
            return null;
        }
        int i = 0;
        while (i < header.length()) {
            int end = header.indexOf(';', i);
            if (end < 0) {
                end = header.length();
            }
            int eq = header.indexOf('=', i);
            if (eq > 0 && eq < end && header.substring(i, eq).trim().equals(name)) {
                return header.substring(eq + 1, end).trim();
            }
            i = end + 1;
        }
        return null;
    }
}
