package io.gatekit.plugins.ext;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.HttpStatus;
import io.gatekit.api.http.QueryParams;
import io.gatekit.runner.HttpMethod;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.Reply;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.TextEntry;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The request side of the protocol: describing a request to a runner, applying its answer (§5.2). */
final class ReqCalls {

    /** Response headers a runner may not set through {@code resp_headers}: APISIX's exclude list. */
    static final Set<String> EXCLUDED_RESP_HEADERS = Set.of("connection", "content-length", "transfer-encoding",
            "location", "server", "www-authenticate", "content-encoding", "content-type", "content-location",
            "content-language");

    private ReqCalls() {
    }

    /**
     * The request as APISIX describes it: the path (see {@link #path}), the arguments in order,
     * the headers with lower-cased names (one entry per value), the client's address and method.
     * {@code trace} (the call's trace context, when a tracer follows it) replaces the request's
     * headers of the same names, so runner-side spans join the call's trace.
     */
    static HttpReqCall describe(Exchange exchange, HttpMethod method, long id, HttpHeaders trace) {
        HttpRequest request = exchange.request();
        HttpReqCall.Builder call = HttpReqCall.builder()
                .id(id)
                .method(method)
                .path(path(exchange))
                .args(Uris.args(request.rawQuery()));
        InetAddress address = request.remoteAddress().getAddress();
        if (address != null) {
            call.sourceIp(address.getAddress());
        }
        HttpHeaders headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            if (trace.isEmpty() || !trace.contains(headers.name(i))) {
                call.addHeader(headers.name(i).toLowerCase(Locale.ROOT), headers.value(i));
            }
        }
        trace.forEach(call::addHeader);
        return call.build();
    }

    /**
     * The path APISIX sends ({@code apisix/plugins/ext-plugin/init.lua}): while no plugin changed
     * it, nginx's {@code $uri}, the received path normalized (decoded, dot segments resolved,
     * slashes merged); once one did ({@code upstream_uri} is set), the changed path as it stands.
     * A host that does not give {@code uri} gets the received path decoded.
     */
    static String path(Exchange exchange) {
        String path = exchange.request().path();
        String uri = exchange.var("uri");
        if (uri == null) {
            return Uris.decodePath(path);
        }
        String received = exchange.var("real_request_uri");
        if (received != null) {
            int query = received.indexOf('?');
            received = query < 0 ? received : received.substring(0, query);
        }
        return received == null || received.equals(path) ? uri : path;
    }

    /**
     * Applies the runner's answer: nothing, a {@link Reply} (the returned outcome answers
     * the client), or a {@link ReqAction.Rewrite} of the request. The answer is checked whole first.
     *
     * @throws IllegalArgumentException when the answer cannot be applied; nothing has changed then
     */
    static Outcome apply(ReqAction action, Exchange exchange, AttributeKey<RespHeaders> respHeadersKey) {
        if (action instanceof Reply stop) {
            return Outcome.respond(stopResponse(stop));
        }
        if (action instanceof ReqAction.Rewrite rewrite) {
            Entries.checkHeaders("rewrite header", rewrite.headers());
            Entries.checkHeaders("resp_header", rewrite.respHeaders());
            rewrite(rewrite, exchange, respHeadersKey);
        }
        return Outcome.proceed();
    }

    private static HttpResponse stopResponse(Reply stop) {
        int status = stop.status() == 0 ? 200 : stop.status(); // APISIX: 0 would be no status at all
        HttpStatus.checkOrZero("stop status", status);
        Entries.checkHeaders("stop header", stop.headers());
        HttpHeaders headers = HttpHeaders.of();
        Entries.apply(stop.headers(), headers, true);
        return HttpResponse.of(status, headers, bytes(stop.body()));
    }

    private static void rewrite(ReqAction.Rewrite rewrite, Exchange exchange, AttributeKey<RespHeaders> key) {
        HttpRequest request = exchange.request();
        String path = rewrite.path().orElse("");
        if (!path.isEmpty()) {
            request.path(Uris.safePath(path));
        }
        for (TextEntry header : rewrite.headers()) {
            // "host" is a header like any other here: the upstream's Host follows the request's
            // (pass_host "pass"), as $upstream_host follows it in APISIX.
            if (header.hasValue()) {
                request.headers().set(header.name(), header.value());
            } else {
                request.headers().remove(header.name());
            }
        }
        byte[] body = bytes(rewrite.body());
        if (body != null) {
            request.body(body);
        }
        List<TextEntry> respHeaders = new ArrayList<>(rewrite.respHeaders().size());
        for (TextEntry header : rewrite.respHeaders()) {
            if (!EXCLUDED_RESP_HEADERS.contains(header.name().toLowerCase(Locale.ROOT))) {
                respHeaders.add(header);
            }
        }
        if (!respHeaders.isEmpty()) {
            RespHeaders earlier = exchange.attr(key);
            if (earlier != null) {
                respHeaders.addAll(0, earlier.entries());
            }
            exchange.attr(key, new RespHeaders(respHeaders));
        }
        if (!rewrite.args().isEmpty()) {
            rewriteArgs(rewrite.args(), request.query());
        }
    }

    /** APISIX's order: no value deletes; a name's first value replaces it, later values add to it. */
    private static void rewriteArgs(List<TextEntry> args, QueryParams query) {
        Set<String> changed = new HashSet<>();
        for (TextEntry arg : args) {
            if (!arg.hasValue()) {
                query.remove(arg.name());
            } else if (changed.add(arg.name())) {
                query.set(arg.name(), arg.value());
            } else {
                query.add(arg.name(), arg.value());
            }
        }
    }

    private static byte @Nullable [] bytes(ByteBuffer buffer) {
        if (!buffer.hasRemaining()) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
