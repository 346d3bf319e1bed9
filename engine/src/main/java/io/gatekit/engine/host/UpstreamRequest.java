package io.gatekit.engine.host;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.http.HttpHeaders;

/**
 * One attempt's request, final: what the {@link Transport} sends to {@link #target()} as it is.
 *
 * @param target  where to send it
 * @param method  the method, as plugins left it
 * @param uri     path and query, as plugins left them (e.g. {@code /a/b?c=1})
 * @param headers the headers to send: the request's end-to-end headers as plugins left them, plus
 *                {@code Host} (after {@code pass_host}), {@code X-Forwarded-For} and
 *                {@code X-Real-IP}; no hop-by-hop header and no framing header
 *                ({@code Content-Length}, {@code Transfer-Encoding}): frame {@link #body()} by its
 *                {@link Body#length()}
 * @param body    the body to stream
 */
public record UpstreamRequest(Target target, String method, String uri, HttpHeaders headers, Body body) {

    public UpstreamRequest {
        requireNonNull(target, "target");
        requireNonNull(method, "method");
        requireNonNull(uri, "uri");
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
    }
}
