package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
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
    // waiting for a request head: bounded by keepalive_timeout while idle, client_header_timeout once started
    private boolean awaitingHead = true;
    private boolean headStarted;
    private boolean idleTimer;
    private @Nullable ScheduledFuture<?> headTimer;
    private @Nullable ScheduledFuture<?> bodyTimer;

    public ProxyHandler(ProxyContext shared) {
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armHeadTimer(false);
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (awaitingHead && !headStarted && !closing) {
            // bytes of a head arrived but not the whole head (else awaitingHead would be false)
            headStarted = true;
            if (idleTimer) {
                armHeadTimer(false);
            }
        }
        ctx.fireChannelReadComplete();
    }

    private void armHeadTimer(boolean idle) {
        cancelHeadTimer();
        idleTimer = idle;
        java.time.Duration timeout = idle ? shared.config().keepaliveTimeout() : shared.config().clientHeaderTimeout();
        headTimer = ctx.executor().schedule(this::headTimedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    /** Slowloris, or a client that went quiet: its connection must not be held open for ever. */
    private void headTimedOut() {
        headTimer = null;
        if (!awaitingHead || closing) {
            return;
        }
        if (headStarted) {
            reject(HttpResponseStatus.REQUEST_TIMEOUT, "408 Request Time-out: the request head took longer than "
                    + "client_header_timeout (" + shared.config().clientHeaderTimeout().toMillis() + " ms)");
        } else {
            closing = true;
            ctx.close();
        }
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
        dispatch(msg);
        watchBody();
    }

    /** While the current request's body is being read, its next bytes must come in client_body_timeout. */
    private void watchBody() {
        cancelBodyTimer();
        if (current != null && !current.requestComplete() && !closing) {
            bodyTimer = ctx.executor().schedule(this::bodyTimedOut, shared.config().clientBodyTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void cancelBodyTimer() {
        if (bodyTimer != null) {
            bodyTimer.cancel(false);
            bodyTimer = null;
        }
    }

    private void bodyTimedOut() {
        bodyTimer = null;
        if (current == null || current.requestComplete() || closing) {
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            // the gateway itself is not reading (plugins running, or a slow upstream): not the client's fault
            watchBody();
            return;
        }
        current.clientBodyTimedOut();
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest request) {
            awaitingHead = false;
            cancelHeadTimer();
            if (request.decoderResult().isFailure()) {
                rejectMalformed(request.decoderResult().cause());
                ReferenceCountUtil.release(msg);
                return;
            }
            String framing = RequestFraming.check(request);
            if (framing != null) {
                ReferenceCountUtil.release(msg);
                reject(framing.startsWith(RequestFraming.NOT_IMPLEMENTED) ? HttpResponseStatus.NOT_IMPLEMENTED
                        : HttpResponseStatus.BAD_REQUEST, framing);
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
        watchBody();
        if (current == null && queued.isEmpty()) {
            awaitingHead = true;
            headStarted = false;
            armHeadTimer(true);
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
        cancelHeadTimer();
        cancelBodyTimer();
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
