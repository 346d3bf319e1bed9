package io.gatekit.gateway.proxy;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.JsonText;
import io.gatekit.gateway.tls.CertificateCatalog;
import io.gatekit.gateway.tls.SniSelector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * APISIX's check of a request on a TLS connection against mutual TLS: when the SSL that the
 * request's Host names asks for a client certificate ({@code client.ca}), the handshake must have
 * verified one, for that same name as SNI. A client that made its handshake for a name without
 * mutual TLS, then names one that has it in its Host, gets 400 and the connection (or stream)
 * closes, as {@code verify_https_client} in APISIX's {@code init.lua} answers
 * ("client certificate verified with SNI ..., but the host is ...").
 */
final class MutualTlsHostCheck extends ChannelInboundHandlerAdapter {

    private static final HttpHeaders JSON = HttpHeaders.of("content-type", "application/json");

    private final CertificateCatalog catalog;
    private boolean refused;

    MutualTlsHostCheck(CertificateCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request && !allowed(ctx.channel(), request)) {
            refused = true;
            ReferenceCountUtil.release(msg);
            boolean head = request.method().equals(HttpMethod.HEAD);
            ctx.writeAndFlush(ResponseWriter.whole(400, JSON, JsonText.errorBody("400 Bad Request"), false, head))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean allowed(Channel channel, HttpRequest request) {
        String host = host(request);
        if (host == null || !catalog.requiresClientCertificate(host)) {
            return true;
        }
        Channel connection = channel instanceof Http2StreamChannel stream ? stream.parent() : channel;
        String sni = connection.attr(SniSelector.SNI).get();
        SslHandler tls = connection.pipeline().get(SslHandler.class);
        if (sni == null || tls == null || !sni.toLowerCase(Locale.ROOT).equals(host)) {
            return false;
        }
        try {
            return tls.engine().getSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** The Host without its port, lower case, or {@code null} when the request has none. */
    private static String host(HttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isEmpty()) {
            return null;
        }
        int colon = host.startsWith("[") ? host.indexOf(':', host.indexOf(']')) : host.lastIndexOf(':');
        String name = colon > 0 ? host.substring(0, colon) : host;
        name = name.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
