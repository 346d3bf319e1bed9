package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection: hands what the upstream sends to the request that
 * currently owns the connection, and closes the connection when nobody does.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    /** What a request does with its upstream connection's events. */
    interface Listener {
        void upstreamRead(Object message);

        /** The end of a batch of reads: the moment to flush what they produced. */
        void upstreamReadComplete();

        void upstreamClosed();

        void upstreamFailed(Throwable cause);

        void upstreamWritabilityChanged(boolean writable);
    }

    private @Nullable Listener listener;
    private boolean used;

    void attach(Listener listener) {
        this.listener = listener;
    }

    /** Whether the connection carried a request before this one; marks it as having carried one. */
    boolean markUsed() {
        boolean before = used;
        used = true;
        return before;
    }

    void detach() {
        this.listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Listener l = listener;
        if (l == null) {
            // an idle connection has nothing to receive: the upstream misbehaved
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        l.upstreamRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Listener l = listener;
        if (l != null) {
            l.upstreamReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Listener l = listener;
        if (l != null) {
            l.upstreamClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Listener l = listener;
        ctx.close();
        if (l != null) {
            l.upstreamFailed(cause);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Listener l = listener;
        if (l != null) {
            l.upstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (UpstreamPool.isIdleTimeout(evt) && listener == null) {
            ctx.close();
        }
    }
}
