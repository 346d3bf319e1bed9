package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.engine.host.Target;
import io.gatekit.gateway.accesslog.AccessLogFormat;
import io.gatekit.gateway.accesslog.AccessLogWriter;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;

/**
 * Makes one access log line per finished request, on its event loop, and hands it to the
 * {@link AccessLogWriter} (which writes on its own thread, dropping lines rather than waiting).
 * Variables nginx and APISIX define are read from the transaction ({@code $request},
 * {@code $body_bytes_sent}, {@code $request_time}, ...) or the call's exchange ({@code $uri},
 * {@code $http_*}, {@code $upstream_addr}, ...).
 */
final class AccessLog {

    private static final DateTimeFormatter TIME_LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z",
            Locale.ROOT);

    private final AccessLogFormat format;
    private final AccessLogWriter writer;

    AccessLog(AccessLogFormat format, AccessLogWriter writer) {
        this.format = format;
        this.writer = writer;
    }

    void log(ProxyTransaction transaction, long nanos) {
        writer.log(format.format(name -> value(transaction, nanos, name)));
    }

    private static @Nullable String value(ProxyTransaction transaction, long nanos, String name) {
        HttpRequest head = transaction.head();
        Exchange exchange = transaction.call() == null ? null : transaction.call().exchange();
        switch (name) {
            case "request":
                return head.method().name() + " " + head.uri() + " " + head.protocolVersion().text();
            case "server_protocol":
                return head.protocolVersion().text();
            case "status":
                return Integer.toString(transaction.writer().status());
            case "body_bytes_sent":
                return Long.toString(transaction.writer().bodyBytes());
            case "request_time":
                return seconds(nanos);
            case "upstream_response_time":
            case "upstream_header_time":
                long upstream = transaction.attempt().headerNanos();
                return upstream < 0 ? null : seconds(upstream);
            case "time_local":
                return ZonedDateTime.now().format(TIME_LOCAL);
            case "time_iso8601":
                return ZonedDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            case "msec":
                long millis = System.currentTimeMillis();
                return millis / 1000 + "." + String.format(Locale.ROOT, "%03d", millis % 1000);
            case "remote_user":
                return basicUser(head.headers().get("authorization"));
            default:
                break;
        }
        if (exchange == null) {
            return name.startsWith("http_") ? head.headers().get(name.substring(5).replace('_', '-')) : null;
        }
        Target target = transaction.call().target();
        return switch (name) {
            case "upstream_scheme" -> target == null ? null : target.scheme();
            case "upstream_uri" -> target == null ? null : upstreamUri(exchange);
            case "route_id" -> exchange.routeId();
            default -> exchange.var(name);
        };
    }

    private static String upstreamUri(Exchange exchange) {
        String uri = exchange.var("uri");
        String args = exchange.var("args");
        return (uri == null ? "/" : uri) + (args == null || args.isEmpty() ? "" : "?" + args);
    }

    /** nginx's {@code $remote_user}: the user of a Basic Authorization header. */
    private static @Nullable String basicUser(@Nullable String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            return colon < 0 ? null : pair.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Seconds with millisecond resolution, as nginx prints times: {@code 0.004}. */
    private static String seconds(long nanos) {
        long millis = nanos / 1_000_000;
        return millis / 1000 + "." + String.format(Locale.ROOT, "%03d", millis % 1000);
    }
}
