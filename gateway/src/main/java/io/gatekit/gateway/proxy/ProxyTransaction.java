package io.gatekit.gateway.proxy;

import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.gateway.admin.AdminRequest;
import io.gatekit.gateway.admin.AdminResponse;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.engine.Call;
import io.gatekit.engine.Upstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request on a client connection, from its head to the last byte of its response. Runs on the
 * client channel's event loop; the upstream connection shares that loop, and async plugin results
 * hop back onto it, so no state here is touched by two threads.
 *
 * <p>Bodies stream: the request body is held back (reading paused) while the request phases run
 * and the upstream connects, then flows with back-pressure both ways. A body is read whole only
 * when a plugin on the route asks for it, up to {@code body_buffer_limit}.
 */
final class ProxyTransaction implements UpstreamHandler.Listener {

    private static final System.Logger LOG = System.getLogger(ProxyTransaction.class.getName());
    /** nginx's lingering_timeout: how long an unwanted body is drained before the connection closes. */
    private static final long LINGER_MILLIS = 5000;
    /** The largest refused body read to its end to keep the connection; above, the connection closes. */
    private static final long DRAIN_LIMIT = 64 * 1024;
    /** The methods nginx passes to the next upstream after an error (RFC 9110 idempotent ones). */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    private final ProxyContext shared;
    private final ChannelHandlerContext client;
    private final ProxyHandler connection;
    private final HttpRequest head;
    /** Cleared when the answer is an error after which the connection must not be reused (as nginx). */
    private boolean keepAlive;
    private long bodyBytes;
    private boolean lingering;
    private long lingerMillis = LINGER_MILLIS;
    private final boolean isHead;
    private final boolean hasBody;
    private final long startNanos = System.nanoTime();
    private @Nullable Call call;

    // request side
    private boolean requestComplete;
    private boolean discardBody;
    private final ArrayDeque<HttpContent> pendingBody = new ArrayDeque<>();
    private @Nullable CompositeByteBuf requestBuffer;
    private boolean bufferingRequest;

    // upstream side
    private @Nullable Channel upstream;
    private Upstream.@Nullable Node node;
    private boolean https;
    private List<Upstream.Node> order = List.of();
    private int attempt;
    private int maxAttempts;
    private long firstAttemptNanos;
    private boolean streamingToUpstream;
    private boolean upstreamReused;
    private boolean staleRetryUsed;
    private @Nullable ScheduledFuture<?> readTimer;
    /** When the upstream last sent something; the one read timer checks it instead of being re-armed per read. */
    private long lastReadNanos;
    private Duration readTimeout = Duration.ofSeconds(60);
    private long upstreamSentNanos;
    private boolean upstreamKeepAlive = true;

    // response side
    private @Nullable io.gatekit.api.http.HttpResponse response;
    private @Nullable CompositeByteBuf responseBuffer;
    private boolean responseHeadWritten;
    private boolean headerFilterPending;
    private final ArrayDeque<HttpContent> pendingResponse = new ArrayDeque<>();
    private boolean responseComplete;
    /** Inside {@link #upstreamRead}: writes to the client wait for the end of the read batch to flush. */
    private boolean inUpstreamRead;
    private boolean clientFlushPending;
    private boolean finished;
    private boolean handedBack;
    private int status;

    ProxyTransaction(ProxyContext shared, ChannelHandlerContext client, ProxyHandler connection, HttpRequest head) {
        this.shared = shared;
        this.client = client;
        this.connection = connection;
        this.head = head;
        this.keepAlive = HttpUtil.isKeepAlive(head);
        this.isHead = head.method().equals(HttpMethod.HEAD);
        this.hasBody = HttpUtil.isContentLengthSet(head) ? HttpUtil.getContentLength(head, 0L) > 0
                : HttpUtil.isTransferEncodingChunked(head);
        this.requestComplete = !hasBody && head instanceof LastHttpContent;
    }

    boolean requestComplete() {
        return requestComplete;
    }

    /** Whether reading the client should go on: only while its body streams to the upstream. */
    boolean wantsRequestBody() {
        return !requestComplete && (discardBody || bufferingRequest || streamingToUpstream);
    }

    // ---------------------------------------------------------------- request

    void start() {
        shared.started();
        long max = shared.config().clientMaxBodySize();
        long declared = HttpUtil.getContentLength(head, 0L);
        if (max > 0 && declared > max) {
            discardBody = true;
            // a small body is cheaper to drain than a new connection; a large one is not worth reading
            keepAlive &= declared <= DRAIN_LIMIT;
            respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "413 Request Entity Too Large");
            return;
        }
        if (isAdmin()) {
            bufferingRequest = true;
            requestBuffer = client.alloc().compositeBuffer();
            client.channel().config().setAutoRead(true);
            return;
        }
        call = shared.engine.newCall(toApiRequest());
        if (hasBody && call.bodyBuffering().request()) {
            bufferingRequest = true;
            requestBuffer = client.alloc().compositeBuffer();
            client.channel().config().setAutoRead(true);
            return;
        }
        client.channel().config().setAutoRead(false);
        runRequestPhases();
    }

    private boolean isAdmin() {
        return shared.admin != null && head.uri().startsWith("/apisix/admin");
    }

    void requestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        bodyBytes += content.content().readableBytes();
        long max = shared.config().clientMaxBodySize();
        if (max > 0 && bodyBytes > max && !discardBody) {
            // a chunked body has no declared length: the limit is found while it streams
            content.release();
            tooLarge(last);
            return;
        }
        if (discardBody || finished && !bufferingRequest) {
            content.release();
        } else if (bufferingRequest) {
            bufferRequest(content);
            return;
        } else if (streamingToUpstream && upstream != null) {
            upstream.writeAndFlush(content).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            if (!upstream.isWritable()) {
                client.channel().config().setAutoRead(false);
            }
        } else {
            pendingBody.add(content);
            client.channel().config().setAutoRead(false);
        }
        if (last) {
            requestComplete = true;
            maybeDone();
        }
    }

    private void tooLarge(boolean last) {
        refuseBody(last, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "413 Request Entity Too Large");
    }

    /** The client stopped sending its body for longer than client_body_timeout. */
    void clientBodyTimedOut() {
        if (requestComplete) {
            return;
        }
        // the client is not sending: nothing to drain, the connection ends once the answer is out
        lingerMillis = 0;
        refuseBody(false, HttpResponseStatus.REQUEST_TIMEOUT, "408 Request Time-out: no body bytes for "
                + "client_body_timeout (" + shared.config().clientBodyTimeout().toMillis() + " ms)");
    }

    /** Stops taking the body: what came is dropped, the answer is {@code status}, the connection ends. */
    private void refuseBody(boolean last, HttpResponseStatus status, String message) {
        keepAlive = false;
        if (bufferingRequest) {
            bufferingRequest = false;
            requestBuffer.release();
            requestBuffer = null;
        }
        discardBody = true;
        streamingToUpstream = false;
        if (last) {
            requestComplete = true;
        }
        if (responseHeadWritten || finished) {
            abortClient();
            return;
        }
        // the upstream has part of a body that will never end: that connection cannot be reused
        closeUpstream();
        respondError(status, message);
        client.channel().config().setAutoRead(true);
    }

    private void bufferRequest(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        CompositeByteBuf buffer = requestBuffer;
        buffer.addComponent(true, content.content().retain());
        content.release();
        if (buffer.readableBytes() > shared.config().bodyBufferLimit()) {
            bufferingRequest = false;
            discardBody = true;
            keepAlive = false;
            buffer.release();
            requestBuffer = null;
            if (last) {
                requestComplete = true;
            }
            respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "413 Request Entity Too Large");
            return;
        }
        if (!last) {
            return;
        }
        requestComplete = true;
        bufferingRequest = false;
        byte[] body = ProxyHandler.bytes(buffer);
        buffer.release();
        requestBuffer = null;
        if (call == null) {
            serveAdmin(body);
            return;
        }
        call.exchange().request().body(body);
        runRequestPhases();
    }

    private io.gatekit.api.http.HttpRequest toApiRequest() {
        String uri = head.uri();
        if (!uri.startsWith("/")) {
            // absolute-form (a proxy request): keep only path and query
            java.net.URI parsed = java.net.URI.create(uri);
            uri = (parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath())
                    + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
        }
        io.gatekit.api.http.HttpRequest.Builder builder = io.gatekit.api.http.HttpRequest.builder()
                .method(head.method().name())
                .uri(uri)
                .remoteAddress((InetSocketAddress) client.channel().remoteAddress())
                .localAddress((InetSocketAddress) client.channel().localAddress());
        // As received, hop-by-hop ones included: plugins and runners see what the client sent, as in
        // APISIX; sendUpstream() leaves those out. Straight in: one copy, not two.
        HttpConversions.forEach(head.headers(), builder::header);
        return builder.build();
    }

    private void runRequestPhases() {
        handle(call.runRequestPhases(), this::pickUpstream);
    }

    /** Continues with {@code next} if the outcome proceeds, answers if it responds, waits if async. */
    private void handle(Outcome outcome, Runnable next) {
        switch (outcome.kind()) {
            case PROCEED -> next.run();
            case RESPOND -> respondLocally(outcome.response());
            case ASYNC -> outcome.stage().whenComplete((result, error) -> client.executor().execute(() -> {
                if (finished) {
                    return;
                }
                if (error != null || result == null) {
                    LOG.log(System.Logger.Level.ERROR, "request phase failed", error);
                    respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "500 Internal Server Error");
                } else {
                    handle(result, next);
                }
            }));
        }
    }

    private void pickUpstream() {
        Upstream up = call.resolvedUpstream();
        if (up == null) {
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "503 Service Unavailable: no upstream");
            return;
        }
        order = shared.balancer(up).order(call.exchange());
        if (order.isEmpty()) {
            respondError(HttpResponseStatus.BAD_GATEWAY, "502 Bad Gateway: no valid upstream node");
            return;
        }
        https = "https".equals(up.scheme());
        maxAttempts = Math.min(order.size(), 1 + up.effectiveRetries());
        firstAttemptNanos = System.nanoTime();
        Upstream.Timeouts timeouts = call.routeTimeout() != null ? call.routeTimeout() : up.timeout();
        readTimeout = timeouts != null ? seconds(timeouts.read()) : shared.config().upstreamReadTimeout();
        tryNode();
    }

    private void tryNode() {
        Upstream up = call.resolvedUpstream();
        node = order.get(attempt);
        String hostHeader = switch (up.passHost()) {
            case "node" -> node.port() == (https ? 443 : 80) ? bracket(node.host()) : node.address();
            case "rewrite" -> up.upstreamHost() != null ? up.upstreamHost() : node.address();
            default -> requestHost(); // pass: the client's Host, as plugins left it
        };
        handle(call.beforeProxy(node.host(), node.port(), hostHeader), () -> connect(hostHeader));
    }

    private void connect(String hostHeader) {
        Upstream.Timeouts timeouts = call.routeTimeout() != null ? call.routeTimeout()
                : call.resolvedUpstream().timeout();
        Duration connectTimeout = timeouts != null ? seconds(timeouts.connect())
                : shared.config().upstreamConnectTimeout();
        Upstream.Node target = node;
        Future<Channel> acquired = shared.pool.acquire(client.channel().eventLoop(), target, https, connectTimeout);
        acquired.addListener(f -> {
            if (finished) {
                if (f.isSuccess()) {
                    ((Channel) f.getNow()).close();
                }
                return;
            }
            if (f.isSuccess()) {
                sendUpstream((Channel) f.getNow(), hostHeader);
            } else {
                connectFailed(target, f.cause());
            }
        });
    }

    private void connectFailed(Upstream.Node target, Throwable cause) {
        LOG.log(System.Logger.Level.WARNING, "upstream " + target.address() + " unreachable: " + cause);
        shared.metrics.upstreamFailure(routeId(), target.address());
        if (attempt + 1 < maxAttempts && retryTimeLeft()) {
            attempt++;
            tryNode();
            return;
        }
        boolean timedOut = cause instanceof io.netty.channel.ConnectTimeoutException;
        respondError(timedOut ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
                timedOut ? "504 Gateway Time-out" : "502 Bad Gateway");
    }

    private void sendUpstream(Channel channel, String hostHeader) {
        upstream = channel;
        UpstreamHandler handler = channel.attr(UpstreamPool.HANDLER).get();
        handler.attach(this);
        io.gatekit.api.http.HttpRequest request = call.exchange().request();
        byte[] body = request.body();
        HttpRequest out = body != null
                ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()), request.uri(),
                        Unpooled.wrappedBuffer(body))
                : new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()), request.uri());
        HttpConversions.copyEndToEnd(request.headers(), head.headers().get(HttpHeaderNames.CONNECTION), out.headers());
        forwardedHeaders(out.headers(), request, hostHeader);
        if (body != null) {
            out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            HttpUtil.setContentLength(out, body.length);
            discardPendingBody();
        } else if (hasBody) {
            if (HttpUtil.isContentLengthSet(head)) {
                HttpUtil.setContentLength(out, HttpUtil.getContentLength(head, 0L));
            } else {
                HttpUtil.setTransferEncodingChunked(out, true);
            }
        }
        upstreamSentNanos = System.nanoTime();
        armReadTimer();
        boolean reused = handler.markUsed();
        upstreamReused = reused;
        channel.write(out).addListener(f -> {
            if (!f.isSuccess() && !finished && response == null) {
                upstreamWriteFailed(reused, f.cause());
            }
        });
        if (body == null && hasBody) {
            streamingToUpstream = true;
            while (!pendingBody.isEmpty()) {
                channel.write(pendingBody.poll());
            }
            if (!requestComplete && channel.isWritable()) {
                client.channel().config().setAutoRead(true);
            }
        } else if (body == null && !(out instanceof LastHttpContent)) {
            channel.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        if (!hasBody) {
            pendingBody.forEach(ReferenceCountUtil::release);
            pendingBody.clear();
        }
        channel.flush();
    }

    // AsciiString names: their hash is computed once, not on every request
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString X_REAL_IP = AsciiString.cached("X-Real-IP");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    private static final AsciiString X_FORWARDED_PORT = AsciiString.cached("X-Forwarded-Port");

    /** A pooled connection the upstream had closed: try again on a fresh one if nothing was sent. */
    private void upstreamWriteFailed(boolean reused, Throwable cause) {
        Channel failed = upstream;
        detachUpstream(false);
        if (failed != null) {
            failed.close();
        }
        if (reused && !streamingToUpstream) {
            connect(currentHostHeader());
            return;
        }
        respondError(HttpResponseStatus.BAD_GATEWAY, "502 Bad Gateway");
    }

    private String currentHostHeader() {
        String host = call.exchange().upstream().hostHeader();
        return host == null ? originalHost() : host;
    }

    private void forwardedHeaders(io.netty.handler.codec.http.HttpHeaders out, io.gatekit.api.http.HttpRequest request,
            String hostHeader) {
        out.set(HttpHeaderNames.HOST, hostHeader);
        String ip = request.remoteIp();
        String prior = out.get(X_FORWARDED_FOR);
        out.set(X_FORWARDED_FOR, prior == null ? ip : prior + ", " + ip);
        out.set(X_REAL_IP, ip);
        if (!out.contains(X_FORWARDED_PROTO)) {
            out.set(X_FORWARDED_PROTO, request.scheme());
        }
        if (!out.contains(X_FORWARDED_HOST)) {
            out.set(X_FORWARDED_HOST, originalHost());
        }
        if (!out.contains(X_FORWARDED_PORT)) {
            out.set(X_FORWARDED_PORT, ((InetSocketAddress) client.channel().localAddress()).getPort());
        }
        out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }

    /** The Host header of the request as plugins left it (a runner or rewrite may change it). */
    private String requestHost() {
        String host = call.exchange().request().headers().get("host");
        return host == null ? originalHost() : host;
    }

    private String originalHost() {
        String host = head.headers().get(HttpHeaderNames.HOST);
        return host == null ? "" : host;
    }

    private void discardPendingBody() {
        pendingBody.forEach(ReferenceCountUtil::release);
        pendingBody.clear();
        if (!requestComplete) {
            discardBody = true;
            client.channel().config().setAutoRead(true);
        }
    }

    // ---------------------------------------------------------------- upstream events

    @Override
    public void upstreamRead(Object message) {
        if (finished) {
            ReferenceCountUtil.release(message);
            return;
        }
        lastReadNanos = System.nanoTime();
        inUpstreamRead = true;
        try {
            if (message instanceof HttpResponse upstreamHead) {
                if (upstreamHead.status().code() == 100) {
                    ReferenceCountUtil.release(message);
                    return;
                }
                onResponseHead(upstreamHead);
            }
            if (message instanceof HttpContent content) {
                onResponseContent(content);
            } else if (!(message instanceof HttpResponse)) {
                ReferenceCountUtil.release(message);
            }
        } finally {
            inUpstreamRead = false;
        }
    }

    /**
     * The upstream's read batch ended: what it produced for the client goes out in one flush (the
     * response head and the first body bytes usually arrive together, so one write call, not two).
     */
    @Override
    public void upstreamReadComplete() {
        flushClientIfPending();
    }

    private void flushClientIfPending() {
        if (clientFlushPending) {
            clientFlushPending = false;
            client.flush();
        }
    }

    /** Flushes now, or at the end of the upstream read batch when inside one. */
    private void flushClient() {
        if (inUpstreamRead) {
            clientFlushPending = true;
        } else {
            clientFlushPending = false;
            client.flush();
        }
    }

    private void onResponseHead(HttpResponse upstreamHead) {
        shared.metrics.upstreamLatency(routeId(), System.nanoTime() - upstreamSentNanos);
        upstreamKeepAlive = HttpUtil.isKeepAlive(upstreamHead);
        response = io.gatekit.api.http.HttpResponse.of(upstreamHead.status().code(),
                HttpConversions.toApi(upstreamHead.headers()), null);
        if (call.bodyBuffering().response() && !isHead) {
            responseBuffer = client.alloc().compositeBuffer();
            return;
        }
        if (call.filtersBody()) {
            // body_filter may change the length; the body goes out chunked instead
            response.headers().remove("content-length");
        }
        runHeaderFilter(true);
    }

    private void onResponseContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (responseBuffer != null) {
            responseBuffer.addComponent(true, content.content().retain());
            content.release();
            if (responseBuffer.readableBytes() > shared.config().bodyBufferLimit()) {
                responseBuffer.release();
                responseBuffer = null;
                closeUpstream();
                respondError(HttpResponseStatus.BAD_GATEWAY, "502 Bad Gateway: upstream body over the buffer limit");
                return;
            }
            if (last) {
                response.body(ProxyHandler.bytes(responseBuffer));
                responseBuffer.release();
                responseBuffer = null;
                upstreamDone();
                runHeaderFilter(true);
            }
            return;
        }
        if (last) {
            upstreamDone();
        }
        if (!responseHeadWritten) {
            pendingResponse.add(content);
            return;
        }
        writeBody(content);
    }

    /** The upstream response was read to its end: the connection goes back to the pool. */
    private void upstreamDone() {
        cancelReadTimer();
        Channel channel = upstream;
        boolean reusable = upstreamKeepAlive && requestComplete && !discardBody;
        detachUpstream(reusable);
        if (channel != null && !reusable) {
            channel.close();
        }
    }

    @Override
    public void upstreamClosed() {
        if (finished) {
            return;
        }
        Channel channel = upstream;
        Upstream.Node failed = node;
        detachUpstream(false);
        if (response == null && retryElsewhere(failed)) {
            if (channel != null) {
                channel.close();
            }
            return;
        }
        if (response == null) {
            respondError(HttpResponseStatus.BAD_GATEWAY, "502 Bad Gateway");
        } else if (!responseComplete) {
            // the client already has part of the response: all we can do is end the connection
            abortClient();
        }
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * The connection broke before any of the response came: as nginx's default
     * {@code proxy_next_upstream error}, an idempotent request whose body can be sent again goes to
     * the next node while attempts remain; and as nginx does for a cached keep-alive connection, a
     * pooled connection that turns out dead costs no attempt (once per request), since the node
     * may well be alive and have merely closed an idle connection.
     */
    private boolean retryElsewhere(Upstream.@Nullable Node failed) {
        boolean replayable = !hasBody || call.exchange().request().body() != null;
        if (!replayable || !IDEMPOTENT.contains(head.method().name()) || failed == null || !retryTimeLeft()) {
            return false;
        }
        boolean stale = upstreamReused && !staleRetryUsed;
        if (!stale && attempt + 1 >= maxAttempts) {
            return false;
        }
        LOG.log(System.Logger.Level.WARNING, "upstream " + failed.address() + " closed the connection before "
                + "answering on route [" + routeId() + "]; trying " + (stale ? "a new connection" : "the next node"));
        shared.metrics.upstreamFailure(routeId(), failed.address());
        cancelReadTimer();
        if (stale) {
            staleRetryUsed = true;
            connect(currentHostHeader());
        } else {
            attempt++;
            tryNode();
        }
        return true;
    }

    /**
     * Whether another try is still allowed: APISIX's {@code retry_timeout} (nginx's
     * {@code proxy_next_upstream_timeout}), counted from the first attempt; 0 or absent is no limit.
     */
    private boolean retryTimeLeft() {
        Double limit = call.resolvedUpstream().retryTimeout();
        return limit == null || limit <= 0 || System.nanoTime() - firstAttemptNanos < (long) (limit * 1e9);
    }

    @Override
    public void upstreamFailed(Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "upstream connection failed", cause);
        upstreamClosed();
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        if (streamingToUpstream && !requestComplete) {
            client.channel().config().setAutoRead(writable);
        }
    }

    void clientWritabilityChanged(boolean writable) {
        if (upstream != null) {
            upstream.config().setAutoRead(writable);
        }
    }

    /**
     * One timer per request, as Netty's {@code IdleStateHandler} does it: reads only note the time,
     * and the timer, when it fires, re-arms itself for the rest of the period if a read came since.
     * Re-arming on every read would schedule and cancel a task per read.
     */
    private void armReadTimer() {
        lastReadNanos = System.nanoTime();
        if (readTimer == null) {
            readTimer = client.executor().schedule(this::readTimedOut, readTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void cancelReadTimer() {
        if (readTimer != null) {
            readTimer.cancel(false);
            readTimer = null;
        }
    }

    private void readTimedOut() {
        readTimer = null;
        if (finished || upstream == null) {
            return;
        }
        long left = readTimeout.toNanos() - (System.nanoTime() - lastReadNanos);
        if (left > 0) {
            readTimer = client.executor().schedule(this::readTimedOut, left, TimeUnit.NANOSECONDS);
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "upstream " + (node == null ? "?" : node.address())
                + " timed out after " + readTimeout.toMillis() + " ms on route [" + routeId() + "]");
        closeUpstream();
        if (response == null) {
            respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "504 Gateway Time-out");
        } else {
            abortClient();
        }
    }

    private void closeUpstream() {
        Channel channel = upstream;
        detachUpstream(false);
        if (channel != null) {
            channel.close();
        }
    }

    private void detachUpstream(boolean reusable) {
        Channel channel = upstream;
        upstream = null;
        streamingToUpstream = false;
        if (channel == null) {
            return;
        }
        channel.config().setAutoRead(true);
        if (reusable) {
            shared.pool.release(channel, node, https);
        } else {
            channel.attr(UpstreamPool.HANDLER).get().detach();
        }
    }

    // ---------------------------------------------------------------- response

    private void runHeaderFilter(boolean fromUpstream) {
        headerFilterPending = true;
        Completion completion = call.headerFilter(response, fromUpstream);
        if (completion.isDone()) {
            headerFilterPending = false;
            writeResponseHead();
            return;
        }
        completion.stage().whenComplete((ignored, error) -> client.executor().execute(() -> {
            headerFilterPending = false;
            if (!finished) {
                writeResponseHead();
            }
        }));
    }

    private void writeResponseHead() {
        io.gatekit.api.http.HttpResponse out = call.exchange().response();
        status = out.status();
        if (out.body() != null) {
            byte[] body = out.body();
            ByteBuffer filtered = call.filtersBody() ? call.bodyFilter(ByteBuffer.wrap(body), true) : null;
            if (filtered != null) {
                byte[] copy = new byte[filtered.remaining()];
                filtered.get(copy);
                body = copy;
            }
            responseHeadWritten = true;
            write(ProxyHandler.fullResponse(out.status(), out.headers(), body, keepAlive, isHead), true);
            return;
        }
        HttpResponse nettyHead = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(out.status()));
        HttpConversions.copy(out.headers(), nettyHead.headers());
        boolean bodiless = isHead || out.status() == 204 || out.status() == 304 || out.status() < 200;
        if (!bodiless && !HttpUtil.isContentLengthSet(nettyHead)) {
            HttpUtil.setTransferEncodingChunked(nettyHead, true);
        }
        HttpUtil.setKeepAlive(nettyHead, keepAlive);
        if (!nettyHead.headers().contains(HttpHeaderNames.SERVER)) {
            nettyHead.headers().set(HttpHeaderNames.SERVER, "gatekit");
        }
        responseHeadWritten = true;
        client.write(nettyHead);
        if (pendingResponse.isEmpty()) {
            flushClient();
        }
        while (!pendingResponse.isEmpty()) {
            writeBody(pendingResponse.poll());
        }
    }

    private void writeBody(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        HttpContent out = content;
        if (call != null && call.filtersBody()) {
            ByteBuffer view = content.content().nioBuffer();
            ByteBuffer filtered = call.bodyFilter(view, last);
            if (filtered != view) {
                ByteBuf replaced = Unpooled.wrappedBuffer(filtered);
                content.release();
                out = last ? new DefaultLastHttpContent(replaced) : new DefaultHttpContent(replaced);
            }
        }
        if (last) {
            write(out, true);
        } else {
            client.write(out);
            flushClient();
            if (!client.channel().isWritable() && upstream != null) {
                upstream.config().setAutoRead(false);
            }
        }
    }

    /** Writes the final part of the response and completes the transaction once it is flushed. */
    private void write(Object last, boolean complete) {
        responseComplete = complete;
        clientFlushPending = false; // this flush takes whatever waited for the end of the read batch
        client.writeAndFlush(last).addListener(f -> {
            if (!f.isSuccess()) {
                client.close();
            }
            finish();
        });
    }

    private void respondLocally(io.gatekit.api.http.HttpResponse local) {
        if (finished || responseHeadWritten) {
            return;
        }
        closeUpstream();
        if (!requestComplete) {
            discardPendingBody();
        }
        response = local;
        if (call == null) {
            status = local.status();
            responseHeadWritten = true;
            write(ProxyHandler.fullResponse(local.status(), local.headers(), local.body(), keepAlive, isHead), true);
            return;
        }
        runHeaderFilter(false);
    }

    private void respondError(HttpResponseStatus errorStatus, String message) {
        byte[] body = ("{\"error_msg\":\"" + message + "\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        respondLocally(io.gatekit.api.http.HttpResponse.of(errorStatus.code(),
                HttpHeaders.of("content-type", "application/json"), body));
    }

    private void serveAdmin(byte[] body) {
        String uri = head.uri();
        int q = uri.indexOf('?');
        AdminResponse answer = shared.admin.apply(new AdminRequest(head.method().name(),
                q < 0 ? uri : uri.substring(0, q), q < 0 ? null : uri.substring(q + 1),
                HttpConversions.toApi(head.headers()), body,
                ((InetSocketAddress) client.channel().remoteAddress()).getAddress().getHostAddress()));
        status = answer.status();
        responseHeadWritten = true;
        write(ProxyHandler.fullResponse(answer.status(), answer.headers(), answer.body(), keepAlive, isHead), true);
    }

    private void abortClient() {
        finished = true;
        cancelReadTimer();
        if (call != null) {
            call.complete();
        }
        client.close();
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        cancelReadTimer();
        if (call != null) {
            call.complete();
            shared.metrics.request(routeId(), status, System.nanoTime() - startNanos);
        }
        maybeDone();
    }

    /** Hands the connection back once the response is out and the request body read to its end. */
    private void maybeDone() {
        if (finished && !requestComplete && !keepAlive && !lingering && !handedBack) {
            // the answer is out and the connection ends: read (and drop) what the client is still
            // sending for a while, so that closing does not reset the answer away, then close
            lingering = true;
            client.executor().schedule(() -> {
                client.close();
            }, lingerMillis, TimeUnit.MILLISECONDS);
        }
        if (!finished || !requestComplete || handedBack) {
            return;
        }
        handedBack = true;
        shared.ended();
        pendingBody.forEach(ReferenceCountUtil::release);
        pendingBody.clear();
        connection.transactionDone(this, keepAlive && responseComplete);
    }

    /** The client went away or sent garbage: release everything, answer nothing. */
    void abort() {
        if (!handedBack) {
            handedBack = true;
            shared.ended();
        }
        if (!finished) {
            finished = true;
            cancelReadTimer();
            if (call != null) {
                call.complete();
            }
        }
        closeUpstream();
        pendingBody.forEach(ReferenceCountUtil::release);
        pendingBody.clear();
        pendingResponse.forEach(ReferenceCountUtil::release);
        pendingResponse.clear();
        if (requestBuffer != null) {
            requestBuffer.release();
            requestBuffer = null;
        }
        if (responseBuffer != null) {
            responseBuffer.release();
            responseBuffer = null;
        }
    }

    private String routeId() {
        String id = call == null ? null : call.exchange().routeId();
        return id == null ? "" : id;
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
    }

    private static String bracket(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
