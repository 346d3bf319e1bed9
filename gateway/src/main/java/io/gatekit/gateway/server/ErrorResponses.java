package io.gatekit.gateway.server;

import io.gatekit.api.http.JsonText;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * APISIX's error answer, {@code {"error_msg":"..."}} and a newline (as {@code core.response.exit}
 * encodes a table), for every listener of the gateway. The message is always JSON-escaped: many
 * quote what a client sent (a header, a path), and the body must stay valid JSON whatever that was.
 */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /** {@code {"error_msg":"<message>"}\n} in UTF-8, the message escaped. */
    public static byte[] body(String message) {
        return JsonText.errorBody(message);
    }

    /**
     * A whole HTTP/1.1 response with that body, {@code Content-Type: application/json} and its
     * length; the caller adds what its listener adds (keep-alive, {@code Server}).
     */
    public static FullHttpResponse response(HttpResponseStatus status, String message) {
        byte[] body = body(message);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }
}
