package io.gatekit.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.function.Consumer;

/**
 * An HTTP/2 connection of the data plane: Netty's frame codec and a stream channel per request,
 * each stream's frames turned into the HTTP/1.1 messages the exchange handlers read. One client's
 * memory stays bounded: at most {@value #MAX_CONCURRENT_STREAMS} streams at once (as nginx's
 * {@code http2_max_concurrent_streams}; enforced before the client acknowledges the SETTINGS,
 * a stream over it is refused with RST_STREAM REFUSED_STREAM), a header list no larger than {@code max_header_size}, a
 * 64 KiB flow-control window per stream that is only reopened as the gateway reads (a stream whose
 * upstream is slow stops its client), and Netty's flood limits: queued control frames (PING and
 * SETTINGS acknowledgements a client does not read), empty DATA frames, and RST_STREAM bursts
 * (rapid reset) end that connection with GOAWAY.
 */
final class Http2Streams {

    /** nginx's http2_max_concurrent_streams default. */
    static final int MAX_CONCURRENT_STREAMS = 128;
    /** Control frames queued for a client that does not read them before its connection is closed. */
    private static final int MAX_QUEUED_CONTROL_FRAMES = 1000;

    private Http2Streams() {
    }

    /** Adds the HTTP/2 handlers to {@code pipeline}; {@code exchange} adds a stream's exchange handlers. */
    static void configure(ChannelPipeline pipeline, int maxHeaderSize, Consumer<ChannelPipeline> exchange) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .maxHeaderListSize(maxHeaderSize)
                .initialWindowSize(65_535);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .build();
        // Netty applies the advertised limit once the client acknowledges the SETTINGS: a client
        // that never does would open streams without bound, so the limit holds from the start
        codec.connection().remote().maxActiveStreams(MAX_CONCURRENT_STREAMS);
        pipeline.addLast(codec);
        pipeline.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true))
                        .addLast(StreamRequests.INSTANCE);
                exchange.accept(stream.pipeline());
            }
        }));
    }

    /**
     * Removes the {@code x-http2-*} headers Netty's conversion adds to a request (stream id,
     * scheme): they were never sent by the client and must not reach plugins or the upstream.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class StreamRequests extends ChannelInboundHandlerAdapter {
        static final StreamRequests INSTANCE = new StreamRequests();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
                    request.headers().remove(name.text());
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
