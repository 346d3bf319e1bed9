package io.gatekit.gateway.server;

import io.gatekit.gateway.admin.AdminRequest;
import io.gatekit.gateway.admin.AdminResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/** Serves the Admin API on its own port: whole requests in, whole JSON responses out. */
public final class AdminServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final Function<AdminRequest, AdminResponse> admin;
    /** After a malformed request the connection only closes: what follows it cannot be trusted to be a request. */
    private boolean closing;

    public AdminServerHandler(Function<AdminRequest, AdminResponse> admin) {
        this.admin = admin;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (closing) {
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        FullHttpResponse response;
        if (request.decoderResult().isFailure()) {
            response = json(HttpResponseStatus.BAD_REQUEST, "{\"error_msg\":\"invalid request\"}");
            keepAlive = false;
            closing = true;
        } else {
            String uri = request.uri();
            int q = uri.indexOf('?');
            io.gatekit.api.http.HttpHeaders headers = io.gatekit.api.http.HttpHeaders.of();
            for (Map.Entry<String, String> h : request.headers()) {
                headers.add(h.getKey(), h.getValue());
            }
            AdminResponse answer = admin.apply(new AdminRequest(request.method().name(),
                    q < 0 ? uri : uri.substring(0, q), q < 0 ? null : uri.substring(q + 1), headers,
                    ByteBufUtil.getBytes(request.content()),
                    ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress()));
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()),
                    Unpooled.wrappedBuffer(answer.body()));
            answer.headers().forEach((name, value) -> response.headers().add(name, value));
            HttpUtil.setContentLength(response, answer.body().length);
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var write = ctx.writeAndFlush(response);
        if (!keepAlive) {
            write.addListener(ChannelFutureListener.CLOSE);
        }
    }

    static FullHttpResponse json(HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(bytes));
        response.headers().set("content-type", "application/json");
        HttpUtil.setContentLength(response, bytes.length);
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
