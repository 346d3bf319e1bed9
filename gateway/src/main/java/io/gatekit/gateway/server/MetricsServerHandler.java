package io.gatekit.gateway.server;

import io.gatekit.api.metrics.Metrics;
import io.gatekit.engine.MetricsRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Serves {@code GET /apisix/prometheus/metrics} in the Prometheus text format, as APISIX does. */
public final class MetricsServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** APISIX's path for the exporter. */
    public static final String PATH = "/apisix/prometheus/metrics";

    private final Metrics metrics;
    private final java.util.function.Supplier<String> more;

    /**
     * @param metrics the engine's metrics: rendered when they are a {@link MetricsRegistry}; other
     *                {@link Metrics} (Micrometer's, say) are exported by their own means, and the
     *                path answers 404 saying so
     */
    public MetricsServerHandler(Metrics metrics) {
        this(metrics, () -> "");
    }

    /** @param more series rendered after the registry's (APISIX's names, say), in the text format */
    public MetricsServerHandler(Metrics metrics, java.util.function.Supplier<String> more) {
        this.metrics = metrics;
        this.more = more;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        if (!(metrics instanceof MetricsRegistry registry)) {
            response = JsonResponses.error(HttpResponseStatus.NOT_FOUND, "404 Not Found: the engine records into "
                    + metrics.getClass().getName() + ", which exports its metrics itself");
        } else if (request.uri().equals(PATH) || request.uri().startsWith(PATH + "?")) {
            byte[] body = (registry.prometheusText() + more.get()).getBytes(StandardCharsets.UTF_8);
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set("content-type", "text/plain; version=0.0.4; charset=utf-8");
            HttpUtil.setContentLength(response, body.length);
        } else {
            response = JsonResponses.error(HttpResponseStatus.NOT_FOUND, "404 Not Found: metrics are at " + PATH);
        }
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
