package io.gatekit.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.BooleanSupplier;

/**
 * APISIX's status API ({@code apisix.status}): {@code GET /status} answers 200
 * {@code {"status":"ok"}} while the node runs; {@code GET /status/ready} answers the same once the
 * config source has loaded the config (for etcd, the first full snapshot) and 503
 * {@code {"status":"error","error":"..."}} before, as APISIX's {@code status_ready} does.
 */
public final class StatusServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String OK = "{\"status\":\"ok\"}\n";
    /** APISIX's text when a worker has no config yet; Gatekit has one "worker", the node. */
    static final String NOT_LOADED = "worker id: 0 has not received configuration";

    private final BooleanSupplier ready;

    /** @param ready whether the config source has loaded the config */
    public StatusServerHandler(BooleanSupplier ready) {
        this.ready = ready;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        FullHttpResponse response;
        if (path.equals("/status")) {
            response = JsonResponses.of(HttpResponseStatus.OK, OK);
        } else if (path.equals("/status/ready")) {
            response = ready.getAsBoolean() ? JsonResponses.of(HttpResponseStatus.OK, OK)
                    : JsonResponses.of(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "{\"status\":\"error\",\"error\":\"" + NOT_LOADED + "\"}\n");
        } else {
            response = JsonResponses.error(HttpResponseStatus.NOT_FOUND,
                    "404 Not Found: the status API serves /status and /status/ready");
        }
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
