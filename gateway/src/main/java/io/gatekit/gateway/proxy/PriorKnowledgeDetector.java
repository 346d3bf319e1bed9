package io.gatekit.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * The first handler of a clear-text connection when HTTP/2 is on: a client that opens with
 * HTTP/2's connection preface ({@code PRI * HTTP/2.0...}, "prior knowledge", as
 * {@code curl --http2-prior-knowledge} and {@code h2load} do) gets the HTTP/2 handlers in place of
 * the HTTP/1.1 ones; any other first bytes leave HTTP/1.1 as it is. It is gone after the first
 * bytes either way.
 *
 * <p>It passes the bytes on inside the read that brought them and adds no read-complete event of
 * its own: the HTTP/1.1 connection's timers count reads, and a second read-complete after a
 * request answered at once would look like the start of a next head.
 */
final class PriorKnowledgeDetector extends ChannelInboundHandlerAdapter {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final DataPlaneInitializer initializer;
    /** The first bytes while they are a proper prefix of the preface, else {@code null}. */
    private ByteBuf held;

    PriorKnowledgeDetector(DataPlaneInitializer initializer) {
        this.initializer = initializer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf bytes = in;
        if (held != null) {
            bytes = held.writeBytes(in);
            in.release();
            held = null;
        }
        int length = Math.min(bytes.readableBytes(), PREFACE.readableBytes());
        ChannelPipeline pipeline = ctx.pipeline();
        if (!ByteBufUtil.equals(bytes, bytes.readerIndex(), PREFACE, PREFACE.readerIndex(), length)) {
            pipeline.remove(this); // HTTP/1.1: the bytes go on to its codec
            ctx.fireChannelRead(bytes);
            return;
        }
        if (length < PREFACE.readableBytes()) {
            held = bytes == in ? ctx.alloc().buffer(PREFACE.readableBytes()).writeBytes(in) : bytes;
            if (bytes == in) {
                in.release();
            }
            return; // a prefix of the preface so far: wait for more
        }
        for (ChannelHandler handler : List.copyOf(pipeline.toMap().values())) {
            if (handler != this) {
                pipeline.remove(handler);
            }
        }
        initializer.http2(pipeline);
        pipeline.remove(this); // the preface itself goes on to the HTTP/2 codec
        ctx.fireChannelRead(bytes);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
