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
import java.nio.charset.StandardCharsets;

/**
 * Whole JSON answers of the gateway's own listeners (status, control, metrics, Admin API):
 * HTTP/1.1, {@code Content-Type: application/json} and the body's length; the caller adds what
 * its listener adds (keep-alive, {@code Server}). Errors are APISIX's {@code {"error_msg":"..."}}
 * and a newline, the message escaped by {@link JsonText}.
 */
public final class JsonResponses {

    private JsonResponses() {
    }

    /** APISIX's error answer for {@code message}. */
    public static FullHttpResponse error(HttpResponseStatus status, String message) {
        return of(status, JsonText.errorBody(message));
    }

    /** An answer with {@code body}, a JSON document the caller wrote. */
    public static FullHttpResponse of(HttpResponseStatus status, String body) {
        return of(status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse of(HttpResponseStatus status, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }
}
