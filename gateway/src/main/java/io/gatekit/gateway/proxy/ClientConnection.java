package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.JsonText;
import io.gatekit.gateway.config.GatewayConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/1.1 side of a client connection of the data plane, in front of the handlers that serve
 * requests (the Admin API on the data port, then {@link ProxyHandler}). It passes on one request at
 * a time: a pipelined request waits in {@link #queued} (and reading pauses) until the exchange
 * before it has ended, which is what HTTP/1.1 pipelining requires. It also owns what belongs to
 * the connection rather than to a request: the client timeouts, malformed messages, a declared
 * body over {@code client_max_body_size}, the rest of a body nobody wants once the answer is out,
 * and whether the connection is kept.
 *
 * <p>The handler serving a request calls {@link #exchangeDone} when its answer is written; the
 * connection tells it about the client through {@link ClientEvent}s.
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter {

    /** nginx's lingering_timeout: how long an unwanted body is drained before the connection closes. */
    private static final long LINGER_MILLIS = 5000;
    /** The largest refused body read to its end to keep the connection; above, the connection closes. */
    private static final long DRAIN_LIMIT = 64 * 1024;
    private static final HttpHeaders JSON = HttpHeaders.of("content-type", "application/json");

    private final ProxyContext shared;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private @Nullable ChannelHandlerContext ctx;
    private boolean closing;

    // the request in progress: from its head until its answer is out and its body read to the end
    private boolean inRequest;
    private boolean requestComplete;
    private long bodyBytes;
    private boolean tooLargeSignalled;
    private boolean bodyTimedOut;
    /** Nobody wants the rest of the body: it is read and dropped here. */
    private boolean dropBody;
    private boolean answered;
    private boolean keepAlive;

    // Client timeouts, all on one lazily re-armed timer per connection: a request on a kept-alive
    // connection costs a few field writes, not a schedule and a cancel.
    private boolean awaitingHead = true;
    private boolean firstRequest = true;
    private long waitingSince;     // when the wait for the next head began (or the first bytes of it came)
    private boolean headStarted;
    /** Whether the current read batch brought a whole message (then it says nothing of a next head). */
    private boolean messageInBatch;
    private long lastBodyRead;     // when the current request's body last made progress
    private @Nullable ScheduledFuture<?> timer;

    public ClientConnection(ProxyContext shared) {
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // replaced by HTTP/2 on a connection that opened with its preface: the timers go too
        closing = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        waitingSince = System.nanoTime();
        schedule(shared.config().clientHeaderTimeout().toNanos());
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (awaitingHead && !headStarted && !closing && !messageInBatch) {
            // bytes of a head arrived but not the whole head (else a message would have come): from
            // now on the head has client_header_timeout to complete. A batch that brought a request
            // answered at once proves nothing about a next head: the connection is merely idle.
            headStarted = true;
            waitingSince = System.nanoTime();
        }
        messageInBatch = false;
        ctx.fireChannelReadComplete();
    }

    // ---------------------------------------------------------------- timeouts

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
        if (inRequest && !requestComplete) {
            if (!ctx.channel().config().isAutoRead()) {
                // the gateway itself is not reading (plugins running, or a slow upstream): not the client's fault
                lastBodyRead = now;
            }
            long left = lastBodyRead + bodyLimit - now;
            if (left > 0) {
                schedule(left);
            } else {
                bodyTimedOut();
                schedule(bodyLimit);
            }
            return;
        }
        // a request in flight with its body read: the upstream's timeouts govern; look again later
        schedule(Math.min(bodyLimit, Math.min(config.clientHeaderTimeout().toNanos(),
                config.keepaliveTimeout().toNanos())));
    }

    private void bodyTimedOut() {
        bodyTimedOut = true;
        if (dropBody) {
            // the answer is out or going: all that is left is to end the connection
            closing = true;
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(ClientEvent.BODY_TIMED_OUT);
    }

    // ---------------------------------------------------------------- requests

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        messageInBatch = true;
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inRequest && requestComplete || !queued.isEmpty()) {
            queued.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (inRequest && msg instanceof HttpContent) {
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
            begin(request);
            return;
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                rejectMalformed(content.decoderResult().cause());
                return;
            }
            if (inRequest) {
                body(content);
                return;
            }
        }
        ReferenceCountUtil.release(msg);
    }

    private void begin(HttpRequest request) {
        inRequest = true;
        requestComplete = false;
        bodyBytes = 0;
        tooLargeSignalled = false;
        bodyTimedOut = false;
        dropBody = false;
        answered = false;
        shared.started();
        long max = shared.config().clientMaxBodySize();
        long declared = HttpUtil.getContentLength(request, 0L);
        if (request instanceof HttpContent content) {
            // a whole request in one message: its content is its body, whatever the headers say
            declared = Math.max(declared, content.content().readableBytes());
            bodyBytes = content.content().readableBytes();
            requestComplete = request instanceof LastHttpContent;
        }
        if (max > 0 && declared > max) {
            refuseDeclaredBody(request, declared);
            return;
        }
        ctx.fireChannelRead(request);
    }

    /**
     * A declared body over client_max_body_size is refused before any plugin runs, as nginx does: a
     * small one is cheaper to drain than a new connection, a large one is not worth reading.
     */
    private void refuseDeclaredBody(HttpRequest request, long declared) {
        boolean keep = MessageFlags.keepAlive(request) && declared <= DRAIN_LIMIT;
        boolean head = request.method().equals(HttpMethod.HEAD);
        dropBody = true;
        tooLargeSignalled = true; // drained to its declared end, over the limit by design
        ctx.channel().config().setAutoRead(true);
        ctx.writeAndFlush(ResponseWriter.whole(413, JSON, JsonText.errorBody("413 Request Entity Too Large"), keep,
                head)).addListener(f -> {
                    if (!f.isSuccess()) {
                        ctx.close();
                    }
                    exchangeDone(keep);
                });
        ReferenceCountUtil.release(request);
    }

    private void body(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        bodyBytes += content.content().readableBytes();
        long max = shared.config().clientMaxBodySize();
        boolean over = max > 0 && bodyBytes > max;
        if (last) {
            requestComplete = true;
        }
        if (dropBody) {
            content.release();
            if (over && !tooLargeSignalled) {
                // not worth reading further only to drop it
                closing = true;
                ctx.close();
            } else if (last && answered) {
                handOver();
            }
            return;
        }
        if (over && !tooLargeSignalled) {
            // a chunked body has no declared length: the limit is found while it streams
            tooLargeSignalled = true;
            ctx.fireUserEventTriggered(ClientEvent.BODY_TOO_LARGE);
            if (dropBody) {
                content.release(); // answered at once: the part is nobody's now
                return;
            }
        }
        ctx.fireChannelRead(content);
    }

    /**
     * The answer to the current request is written; {@code keepAlive} says whether another request
     * may follow on this connection. What is left of the body is read and dropped here: when the
     * connection is to close, for a while (lingering), so that closing does not reset the answer away.
     */
    void exchangeDone(boolean keepAlive) {
        if (!inRequest || answered || closing) {
            return;
        }
        answered = true;
        this.keepAlive = keepAlive;
        if (requestComplete) {
            handOver();
            return;
        }
        dropBody = true;
        ctx.channel().config().setAutoRead(true);
        if (keepAlive) {
            return;
        }
        if (bodyTimedOut) {
            // the client is not sending: nothing to drain
            closing = true;
            ctx.close();
            return;
        }
        ctx.executor().schedule(() -> {
            closing = true;
            ctx.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The exchange ended: the connection closes, or the next request (already queued, maybe) goes on. */
    private void handOver() {
        inRequest = false;
        shared.ended();
        if (!keepAlive) {
            closing = true;
            queued.forEach(ReferenceCountUtil::release);
            queued.clear();
            ctx.close();
            return;
        }
        // feed the next request its head and as much of its body as already arrived
        while (!queued.isEmpty() && !(inRequest && requestComplete)) {
            dispatch(queued.poll());
        }
        if (queued.isEmpty() && (!inRequest || requestComplete)) {
            ctx.channel().config().setAutoRead(true);
        }
        if (!inRequest && queued.isEmpty()) {
            awaitingHead = true;
            headStarted = false;
            waitingSince = System.nanoTime();
        }
    }

    // ---------------------------------------------------------------- failures

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
        if (inRequest) {
            inRequest = false;
            shared.ended();
            ctx.fireUserEventTriggered(ClientEvent.ABORTED);
        }
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
        ctx.writeAndFlush(ResponseWriter.whole(status.code(), JSON, JsonText.errorBody(message), false, false))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (inRequest) {
            inRequest = false;
            shared.ended();
        }
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
        ctx.fireChannelInactive();
    }
}
