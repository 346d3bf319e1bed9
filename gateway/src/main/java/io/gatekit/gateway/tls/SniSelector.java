package io.gatekit.gateway.tls;

import io.gatekit.api.Nullable;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

/**
 * The first handler of a TLS connection: reads the ClientHello's SNI, and puts in its place the
 * {@link io.netty.handler.ssl.SslHandler} of the certificate the {@link CertificateCatalog} has for
 * it. When none matches, the handshake fails as APISIX's does (its {@code ssl_certificate_by_lua}
 * phase errors out and OpenSSL answers a fatal {@code internal_error} alert), and the connection
 * closes.
 */
public final class SniSelector extends SniHandler {

    private static final System.Logger LOG = System.getLogger(SniSelector.class.getName());
    /** A TLS record: alert (21), version 1.2, length 2, level fatal (2), internal_error (80). */
    private static final byte[] INTERNAL_ERROR = {21, 3, 3, 0, 2, 2, 80};
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** The name the client sent in its ClientHello (lower case as sent by Netty), or unset. */
    public static final io.netty.util.AttributeKey<String> SNI = io.netty.util.AttributeKey.valueOf("gatekit.sni");

    /** A selector over {@code catalog}. */
    public SniSelector(CertificateCatalog catalog) {
        super(catalog::find, HANDSHAKE_TIMEOUT_MILLIS);
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, @Nullable String hostname, @Nullable SslContext context)
            throws Exception {
        if (context == null) {
            LOG.log(System.Logger.Level.DEBUG, () -> "failed to find any SSL certificate by SNI: " + hostname);
            // the ClientHello bytes still held go to a handler that drops them, not to the HTTP codec
            ctx.pipeline().replace(this, "tls-refused", new Refused());
            ctx.channel().writeAndFlush(Unpooled.wrappedBuffer(INTERNAL_ERROR)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.channel().attr(SNI).set(hostname);
        super.replaceHandler(ctx, hostname, context);
    }

    /** Drops whatever a refused client still sends. */
    private static final class Refused extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
