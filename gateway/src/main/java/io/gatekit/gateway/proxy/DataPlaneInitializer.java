package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.gateway.admin.AdminRequest;
import io.gatekit.gateway.admin.AdminResponse;
import io.gatekit.gateway.tls.CertificateCatalog;
import io.gatekit.gateway.tls.SniSelector;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Function;

/**
 * Sets up a client connection of the data plane: HTTP/1.1, and where configured TLS (the
 * certificate chosen by SNI) and HTTP/2 (through ALPN on TLS, with prior knowledge in clear text).
 * Every request, whatever the protocol, reaches the same {@link ClientConnection},
 * {@link DataPortAdminHandler} and {@link ProxyHandler}: an HTTP/2 stream is one exchange of its
 * own with those handlers on its stream channel.
 */
public final class DataPlaneInitializer extends ChannelInitializer<SocketChannel> {

    private final ProxyContext shared;
    private final @Nullable Function<AdminRequest, AdminResponse> admin;
    private final @Nullable CertificateCatalog tls;
    private final boolean http2;

    /**
     * @param admin the Admin API when it shares the data port, else {@code null}
     * @param tls   the certificates of a TLS listener, or {@code null} for clear text
     * @param http2 whether HTTP/2 is served ({@code apisix.enable_http2})
     */
    public DataPlaneInitializer(ProxyContext shared, @Nullable Function<AdminRequest, AdminResponse> admin,
            @Nullable CertificateCatalog tls, boolean http2) {
        this.shared = shared;
        this.admin = admin;
        this.tls = tls;
        this.http2 = http2;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        shared.connectionOpened(ch);
        ChannelPipeline pipeline = ch.pipeline();
        if (tls == null) {
            if (http2) {
                pipeline.addLast(new PriorKnowledgeDetector(this));
            }
            http1(pipeline);
            return;
        }
        pipeline.addLast(new SniSelector(tls));
        if (!http2) {
            http1(pipeline);
            return;
        }
        pipeline.addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    http2(ctx.pipeline());
                    return;
                }
                http1(ctx.pipeline());
                // the handlers came after the connection opened: start the client timeouts now
                ctx.fireChannelActive();
            }
        });
    }

    /** The HTTP/1.1 handlers, last in {@code pipeline}. */
    void http1(ChannelPipeline pipeline) {
        // the connection passes on one request at a time; the Admin API (when it shares this
        // port) takes its own, the proxy all the others
        ClientConnection connection = new ClientConnection(shared);
        pipeline.addLast(new ServerCodec(shared.config().maxHeaderSize()))
                .addLast(new HttpServerExpectContinueHandler());
        if (tls != null) {
            pipeline.addLast(new MutualTlsHostCheck(tls));
        }
        pipeline.addLast(connection);
        if (admin != null) {
            pipeline.addLast(new DataPortAdminHandler(shared, admin, connection));
        }
        pipeline.addLast(new ProxyHandler(shared, connection));
    }

    /** The HTTP/2 handlers, last in {@code pipeline}: each stream gets the HTTP/1.1 exchange handlers. */
    void http2(ChannelPipeline pipeline) {
        Http2Streams.configure(pipeline, shared.config().maxHeaderSize(), stream -> {
            ClientConnection connection = new ClientConnection(shared);
            if (tls != null) {
                stream.addLast(new MutualTlsHostCheck(tls));
            }
            stream.addLast(connection);
            if (admin != null) {
                stream.addLast(new DataPortAdminHandler(shared, admin, connection));
            }
            stream.addLast(new ProxyHandler(shared, connection));
        });
    }
}
