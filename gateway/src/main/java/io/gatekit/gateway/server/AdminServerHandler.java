package io.gatekit.gateway.server;

import io.gatekit.gateway.admin.AdminRequest;
import io.gatekit.gateway.admin.AdminResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
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
            response = JsonResponses.error(HttpResponseStatus.BAD_REQUEST, "invalid request");
            keepAlive = false;
            closing = true;
        } else {
            AdminResponse answer = admin.apply(request(request, ByteBufUtil.getBytes(request.content()),
                    ctx.channel()));
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

    /**
     * The Admin API's view of {@code head} and its whole {@code body}, from a client on
     * {@code channel}: path and query apart, headers in order, the client's address for
     * {@code allow_admin}. Shared by the admin port and the Admin API on the data port.
     */
    public static AdminRequest request(HttpRequest head, byte[] body, Channel channel) {
        String uri = head.uri();
        int q = uri.indexOf('?');
        io.gatekit.api.http.HttpHeaders headers = io.gatekit.api.http.HttpHeaders.of();
        for (Map.Entry<String, String> h : head.headers()) {
            headers.add(h.getKey(), h.getValue());
        }
        return new AdminRequest(head.method().name(), q < 0 ? uri : uri.substring(0, q),
                q < 0 ? null : uri.substring(q + 1), headers, body,
                ((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
