package io.gatekit.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * The first handler of a clear-text connection when HTTP/2 is on: a client that opens with
 * HTTP/2's connection preface ({@code PRI * HTTP/2.0...}, "prior knowledge", as
 * {@code curl --http2-prior-knowledge} and {@code h2load} do) gets the HTTP/2 handlers in place of
 * the HTTP/1.1 ones; any other first bytes leave HTTP/1.1 as it is. It is gone after the first
 * bytes either way.
 */
final class PriorKnowledgeDetector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final DataPlaneInitializer initializer;

    PriorKnowledgeDetector(DataPlaneInitializer initializer) {
        this.initializer = initializer;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), length)) {
            ctx.pipeline().remove(this); // HTTP/1.1: the bytes held go on to its codec
            return;
        }
        if (length < PREFACE.readableBytes()) {
            return; // a prefix of the preface so far: wait for more
        }
        ChannelPipeline pipeline = ctx.pipeline();
        for (ChannelHandler handler : List.copyOf(pipeline.toMap().values())) {
            if (handler != this) {
                pipeline.remove(handler);
            }
        }
        initializer.http2(pipeline);
        pipeline.remove(this); // the preface itself goes on to the HTTP/2 codec
    }
}
