package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of an upstream connection: hands what the upstream sends to the request that
 * currently owns the connection, and closes the connection when nobody does.
 *
 * <p>It also keeps the connection's one timer, for the read timeout of the request that owns it
 * and, while the connection is idle in the pool, for the pool's idle timeout. The timer is re-armed
 * lazily, as Netty's {@code IdleStateHandler} does it: a request asks to be woken by a deadline,
 * a timer already due earlier is kept (whoever it wakes checks its own deadline and asks again),
 * so back-to-back requests on a kept-alive connection schedule nothing.
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

        /** The timer asked for with {@link #wakeAt} fired (maybe before the deadline asked for). */
        void upstreamTimer();
    }

    private final long idleNanos;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable Listener listener;
    private boolean used;
    private @Nullable ScheduledFuture<?> timer;
    /** When {@link #timer} fires ({@link System#nanoTime()}). */
    private long timerDeadline;
    /** When the connection went back to the pool. */
    private long idleSince;

    /** @param idleNanos how long the connection may sit idle in the pool before it is closed */
    UpstreamHandler(long idleNanos) {
        this.idleNanos = idleNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

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

    /** The connection is idle in the pool from now on: it is closed once idle for the pool's idle timeout. */
    void idle() {
        listener = null;
        idleSince = System.nanoTime();
        wakeAt(idleSince + idleNanos);
    }

    /**
     * Calls the listener's {@link Listener#upstreamTimer} at {@code deadline} ({@link System#nanoTime()})
     * or earlier; a timer already due by then is kept rather than replaced.
     */
    void wakeAt(long deadline) {
        ScheduledFuture<?> pending = timer;
        if (pending != null) {
            if (timerDeadline - deadline <= 0) {
                return;
            }
            pending.cancel(false);
        }
        timerDeadline = deadline;
        timer = ctx.executor().schedule(this::timerFired, Math.max(1, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS);
    }

    private void timerFired() {
        timer = null;
        Listener l = listener;
        if (l != null) {
            l.upstreamTimer();
            return;
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        long left = idleSince + idleNanos - System.nanoTime();
        if (left > 0) {
            wakeAt(System.nanoTime() + left);
        } else {
            ctx.close(); // idle in the pool for too long (the pool drops it when it closes)
        }
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
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
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
}
