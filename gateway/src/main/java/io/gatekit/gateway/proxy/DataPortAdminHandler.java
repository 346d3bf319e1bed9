package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.JsonText;
import io.gatekit.gateway.admin.AdminRequest;
import io.gatekit.gateway.admin.AdminResponse;
import io.gatekit.gateway.server.AdminServerHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Function;

/**
 * The Admin API on the data port (APISIX's older layout, where {@code admin_listen} shares
 * {@code node_listen}): placed between {@link ClientConnection} and {@link ProxyHandler}, it
 * serves requests under {@code /apisix/admin} and passes every other one on, as the admin port's
 * {@link AdminServerHandler} serves all of its requests. The body is read whole, up to
 * {@code body_buffer_limit}; the answer comes from the Admin API on this event loop.
 */
public final class DataPortAdminHandler extends ChannelInboundHandlerAdapter {

    private static final String PREFIX = "/apisix/admin";

    private final ProxyContext shared;
    private final Function<AdminRequest, AdminResponse> admin;
    private final ClientConnection connection;
    /** The admin request being served, from its head until its answer is written. */
    private @Nullable HttpRequest head;
    private @Nullable CompositeByteBuf body;
    private boolean answered;
    private boolean keepAlive;

    public DataPortAdminHandler(ProxyContext shared, Function<AdminRequest, AdminResponse> admin,
            ClientConnection connection) {
        this.shared = shared;
        this.admin = admin;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (head == null) {
            if (!(msg instanceof HttpRequest request && request.uri().startsWith(PREFIX))) {
                ctx.fireChannelRead(msg);
                return;
            }
            begin(ctx, request);
        }
        if (msg instanceof HttpContent content) {
            content(ctx, content);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(ChannelHandlerContext ctx, HttpRequest request) {
        head = request;
        answered = false;
        keepAlive = HttpUtil.isKeepAlive(request);
        body = ctx.alloc().compositeBuffer();
        ctx.channel().config().setAutoRead(true);
    }

    private void content(ChannelHandlerContext ctx, HttpContent content) {
        if (answered) {
            content.release();
            return;
        }
        CompositeByteBuf whole = body;
        whole.addComponent(true, content.content().retain());
        content.release();
        if (whole.readableBytes() > shared.config().bodyBufferLimit()) {
            refuse(ctx, 413, "413 Request Entity Too Large");
            return;
        }
        if (!(content instanceof LastHttpContent)) {
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(whole);
        releaseBody();
        AdminResponse answer = admin.apply(AdminServerHandler.request(head, bytes, ctx.channel()));
        answer(ctx, ResponseWriter.whole(answer.status(), answer.headers(), answer.body(), keepAlive, isHead()));
    }

    /** Stops reading the body into memory and answers {@code status}; the connection then closes. */
    private void refuse(ChannelHandlerContext ctx, int status, String message) {
        if (answered) {
            ctx.close(); // the answer is on its way: only closing is left
            return;
        }
        releaseBody();
        keepAlive = false;
        answer(ctx, ResponseWriter.whole(status, HttpHeaders.of("content-type", "application/json"),
                JsonText.errorBody(message), false, isHead()));
    }

    private void answer(ChannelHandlerContext ctx, FullHttpResponse response) {
        answered = true;
        boolean keep = keepAlive;
        ctx.writeAndFlush(response).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
            head = null;
            connection.exchangeDone(keep);
        });
    }

    private boolean isHead() {
        return head.method().equals(HttpMethod.HEAD);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (head == null || !(event instanceof ClientEvent client)) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        switch (client) {
            case BODY_TIMED_OUT -> refuse(ctx, 408, "408 Request Time-out: no body bytes for client_body_timeout ("
                    + shared.config().clientBodyTimeout().toMillis() + " ms)");
            case BODY_TOO_LARGE -> {
                if (!answered) { // once answered, the rest of the body is dropped whatever its size
                    refuse(ctx, 413, "413 Request Entity Too Large");
                }
            }
            case ABORTED -> {
                head = null;
                releaseBody();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        head = null;
        releaseBody();
        ctx.fireChannelInactive();
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
