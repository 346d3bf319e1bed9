package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a client connection of the data plane: every request that reaches it is
 * proxied, one {@link ProxyTransaction} each. {@link ClientConnection}, in front, passes on one
 * request at a time and is told when its transaction is done.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ProxyHandler.class.getName());

    private final ProxyContext shared;
    private final ClientConnection connection;
    private @Nullable ProxyTransaction current;

    public ProxyHandler(ProxyContext shared, ClientConnection connection) {
        this.shared = shared;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            ProxyTransaction transaction = new ProxyTransaction(shared, ctx, this, request);
            current = transaction;
            transaction.start();
            if (msg instanceof HttpContent content) {
                transaction.requestContent(content);
            }
            return;
        }
        if (msg instanceof HttpContent content && current != null) {
            current.requestContent(content);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof ClientEvent client)) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        ProxyTransaction transaction = current;
        if (transaction == null) {
            return;
        }
        switch (client) {
            case BODY_TIMED_OUT -> transaction.clientBodyTimedOut();
            case BODY_TOO_LARGE -> transaction.bodyTooLarge();
            case ABORTED -> {
                current = null;
                transaction.abort();
            }
        }
    }

    /** Called by the transaction once its response is written. */
    void transactionDone(ProxyTransaction done, boolean keepAlive) {
        if (current != done) {
            return;
        }
        current = null;
        connection.exchangeDone(keepAlive);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.abort();
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "client connection failed", cause);
        ctx.close();
    }
}
