package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.gateway.config.GatewayConfig;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of the data plane. Requests are served one at a time, in order: a
 * pipelined request waits in {@link #queued} (and reading pauses) until the response before it
 * is complete, which is what HTTP/1.1 pipelining requires.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ProxyHandler.class.getName());

    private final ProxyContext shared;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ProxyTransaction current;
    private boolean closing;
    // Client timeouts, all on one lazily re-armed timer per connection: a request on a kept-alive
    // connection costs a few field writes, not a schedule and a cancel.
    private boolean awaitingHead = true;
    private boolean firstRequest = true;
    private long waitingSince;     // when the wait for the next head began (or the first bytes of it came)
    private boolean headStarted;
    private long lastBodyRead;     // when the current request's body last made progress
    private @Nullable ScheduledFuture<?> timer;

    public ProxyHandler(ProxyContext shared) {
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        waitingSince = System.nanoTime();
        schedule(shared.config().clientHeaderTimeout().toNanos());
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (awaitingHead && !headStarted && !closing) {
            // bytes of a head arrived but not the whole head (else awaitingHead would be false):
            // from now on the head has client_header_timeout to complete
            headStarted = true;
            waitingSince = System.nanoTime();
        }
        ctx.fireChannelReadComplete();
    }

    private void schedule(long delayNanos) {
        timer = ctx.executor().schedule(this::timerFired, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** Checks the deadline of whatever the connection waits for, and acts on it or re-arms for it. */
    private void timerFired() {
        timer = null;
        if (closing) {
            return;
        }
        long now = System.nanoTime();
        GatewayConfig config = shared.config();
        if (awaitingHead) {
            long limit = headStarted || firstRequest ? config.clientHeaderTimeout().toNanos()
                    : config.keepaliveTimeout().toNanos();
            long left = waitingSince + limit - now;
            if (left > 0) {
                schedule(left);
            } else if (headStarted) {
                // slowloris: a head that never ends
                reject(HttpResponseStatus.REQUEST_TIMEOUT, "408 Request Time-out: the request head took longer "
                        + "than client_header_timeout (" + config.clientHeaderTimeout().toMillis() + " ms)");
            } else {
                // an idle connection (or one that never sent a byte): closed without an answer, as nginx
                closing = true;
                ctx.close();
            }
            return;
        }
        long bodyLimit = config.clientBodyTimeout().toNanos();
        if (current != null && !current.requestComplete()) {
            if (!ctx.channel().config().isAutoRead()) {
                // the gateway itself is not reading (plugins running, or a slow upstream): not the client's fault
                lastBodyRead = now;
            }
            long left = lastBodyRead + bodyLimit - now;
            if (left > 0) {
                schedule(left);
            } else {
                current.clientBodyTimedOut();
                schedule(bodyLimit);
            }
            return;
        }
        // a request in flight with its body read: the upstream's timeouts govern; look again later
        schedule(Math.min(bodyLimit, Math.min(config.clientHeaderTimeout().toNanos(),
                config.keepaliveTimeout().toNanos())));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null && current.requestComplete() || !queued.isEmpty()) {
            queued.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (current != null && msg instanceof HttpContent) {
            lastBodyRead = System.nanoTime();
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest request) {
            awaitingHead = false;
            firstRequest = false;
            lastBodyRead = System.nanoTime();
            if (request.decoderResult().isFailure()) {
                rejectMalformed(request.decoderResult().cause());
                ReferenceCountUtil.release(msg);
                return;
            }
            current = new ProxyTransaction(shared, ctx, this, request);
            current.start();
            if (msg instanceof HttpContent content && current != null) {
                current.requestContent(content);
            }
            return;
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                rejectMalformed(content.decoderResult().cause());
                return;
            }
            if (current != null) {
                current.requestContent(content);
                return;
            }
        }
        ReferenceCountUtil.release(msg);
    }

    /** A bad request line, header block or chunk: answer once and close, never guess. */
    private void rejectMalformed(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "431 Request Header Fields Too Large");
        } else if (cause instanceof TooLongFrameException) {
            reject(HttpResponseStatus.REQUEST_URI_TOO_LONG, "414 Request-URI Too Large");
        } else if (cause instanceof RequestFraming.Problem problem && problem.status == 501) {
            reject(HttpResponseStatus.NOT_IMPLEMENTED, "501 Not Implemented: " + cause.getMessage());
        } else {
            reject(HttpResponseStatus.BAD_REQUEST, "400 Bad Request: " + cause.getMessage());
        }
    }

    private void reject(HttpResponseStatus status, String message) {
        closing = true;
        if (current != null) {
            current.abort();
            current = null;
        }
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
        ctx.writeAndFlush(errorResponse(status, message, false)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Called by the transaction when its response is written and its request read to the end. */
    void transactionDone(ProxyTransaction done, boolean keepAlive) {
        if (current != done) {
            return;
        }
        current = null;
        if (!keepAlive) {
            closing = true;
            queued.forEach(ReferenceCountUtil::release);
            queued.clear();
            ctx.close();
            return;
        }
        // feed the next request its head and as much of its body as already arrived
        while (!queued.isEmpty() && (current == null || !current.requestComplete())) {
            dispatch(queued.poll());
        }
        if (queued.isEmpty()) {
            ctx.channel().config().setAutoRead(current == null || current.requestComplete()
                    || current.wantsRequestBody());
        }
        if (current == null && queued.isEmpty()) {
            awaitingHead = true;
            headStarted = false;
            waitingSince = System.nanoTime();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (current != null) {
            current.abort();
            current = null;
        }
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "client connection failed", cause);
        ctx.close();
    }

    static FullHttpResponse errorResponse(HttpResponseStatus status, String message, boolean keepAlive) {
        byte[] body = ("{\"error_msg\":\"" + jsonEscape(message) + "\"}\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setContentLength(response, body.length);
        HttpUtil.setKeepAlive(response, keepAlive);
        response.headers().set(HttpHeaderNames.SERVER, "gatekit");
        return response;
    }

    /** Messages may quote what the client sent: keep the JSON valid whatever it holds. */
    private static String jsonEscape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static FullHttpResponse fullResponse(int status, HttpHeaders headers, byte @Nullable [] body, boolean keepAlive,
            boolean head) {
        byte[] bytes = body == null ? new byte[0] : body;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        HttpConversions.copy(headers, response.headers());
        response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        HttpUtil.setContentLength(response, bytes.length);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (!response.headers().contains(HttpHeaderNames.SERVER)) {
            response.headers().set(HttpHeaderNames.SERVER, "gatekit");
        }
        return response;
    }

    static byte[] bytes(io.netty.buffer.ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }
}
