package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Call;
import io.gatekit.engine.host.Target;
import io.gatekit.engine.host.UpstreamFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The upstream side of a transaction: one attempt at a time on a pooled HTTP/1.1 connection to
 * the target the engine chose. It connects, sends the request, hands the response to the
 * transaction, and reports how an attempt failed; which node comes next, and whether one does, is
 * the engine's decision ({@link Call#upstreamFailed}). The one retry made here is a transport
 * matter: a pooled keep-alive connection the upstream had closed is replaced by a fresh one to the
 * same target, once per request, without spending an attempt.
 */
final class UpstreamAttempt implements UpstreamHandler.Listener {

    private static final System.Logger LOG = System.getLogger(UpstreamAttempt.class.getName());

    private final ProxyTransaction transaction;
    private final ProxyContext shared;
    private final ChannelHandlerContext client;
    private final RequestBody body;
    private @Nullable Channel channel;
    /** The handler of {@link #channel}. */
    private @Nullable UpstreamHandler handler;
    /** Where the current attempt goes, as the engine decided (node, Host header, timeouts). */
    private @Nullable Target target;
    private boolean reused;
    private boolean staleRetryUsed;
    private boolean responseStarted;
    private boolean keepAlive = true;
    /** Whether the read timeout runs (from sending until the response is read, or the attempt ends). */
    private boolean timing;
    /** When the upstream last sent something; the connection's timer checks it instead of being re-armed per read. */
    private long lastReadNanos;
    private long sentNanos;
    /** From sending the request to the response head of the attempt that answered; -1 before. */
    private long headerNanos = -1;

    UpstreamAttempt(ProxyTransaction transaction, ProxyContext shared, ChannelHandlerContext client, RequestBody body) {
        this.transaction = transaction;
        this.shared = shared;
        this.client = client;
        this.body = body;
    }

    // ---------------------------------------------------------------- connect and send

    void connect(Target to) {
        target = to;
        responseStarted = false;
        Channel idle = shared.pool.pollIdle(client.channel().eventLoop(), to.node(), to.https());
        if (idle != null) {
            send(idle);
            return;
        }
        Future<Channel> acquired = shared.pool.connect(client.channel().eventLoop(), to.node(), to.https(),
                to.connectTimeout());
        acquired.addListener(f -> {
            if (transaction.finished()) {
                if (f.isSuccess()) {
                    ((Channel) f.getNow()).close();
                }
                return;
            }
            if (f.isSuccess()) {
                send((Channel) f.getNow());
            } else {
                connectFailed(to, f.cause());
            }
        });
    }

    private void connectFailed(Target to, Throwable cause) {
        LOG.log(System.Logger.Level.WARNING, "upstream " + to.address() + " unreachable: " + cause);
        shared.metrics.upstreamFailure(transaction.routeId(), to.address());
        transaction.attemptFailed(cause instanceof ConnectTimeoutException ? UpstreamFailure.CONNECT_TIMEOUT
                : UpstreamFailure.CONNECT_FAILED);
    }

    private void send(Channel to) {
        channel = to;
        UpstreamHandler handler = to.attr(UpstreamPool.HANDLER).get();
        this.handler = handler;
        handler.attach(this);
        Call call = transaction.call();
        io.gatekit.api.http.HttpRequest request = call.exchange().request();
        byte[] whole = request.body();
        HttpMethod method = HttpMethod.valueOf(request.method());
        // no body: head and end in one message, one write (no trailers object either)
        HttpRequest out = whole != null
                ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, request.uri(), Unpooled.wrappedBuffer(whole))
                : body.present() ? new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, request.uri())
                : new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, request.uri(), Unpooled.EMPTY_BUFFER,
                        new DefaultHttpHeaders(), EmptyHttpHeaders.INSTANCE);
        io.netty.handler.codec.http.HttpHeaders headers = out.headers();
        call.forEachUpstreamHeader(headers::add);
        if (whole != null) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            HttpUtil.setContentLength(out, whole.length);
            body.discard(); // a body held whole (or set by a plugin) replaces what the client sends
        } else if (body.present()) {
            HttpRequest head = transaction.head();
            if (HttpUtil.isContentLengthSet(head)) {
                HttpUtil.setContentLength(out, HttpUtil.getContentLength(head, 0L));
            } else {
                HttpUtil.setTransferEncodingChunked(out, true);
            }
        }
        sentNanos = System.nanoTime();
        armReadTimer();
        boolean wasReused = handler.markUsed();
        reused = wasReused;
        to.write(out).addListener(f -> {
            if (!f.isSuccess() && !transaction.finished() && !responseStarted) {
                writeFailed(wasReused);
            }
        });
        if (whole == null && body.present()) {
            body.streamTo(to);
        }
        to.flush();
    }

    /** A pooled connection the upstream had closed: try again on a fresh one if nothing was sent. */
    private void writeFailed(boolean wasReused) {
        boolean bodySent = body.streaming();
        close();
        if (wasReused && !bodySent) {
            connect(target); // the same target again on a fresh connection: a transport matter, no attempt spent
            return;
        }
        transaction.attemptFailed(UpstreamFailure.SEND_FAILED);
    }

    // ---------------------------------------------------------------- upstream events

    @Override
    public void upstreamRead(Object message) {
        if (transaction.finished()) {
            ReferenceCountUtil.release(message);
            return;
        }
        lastReadNanos = System.nanoTime();
        ResponseWriter writer = transaction.writer();
        writer.beginBatch();
        try {
            if (message instanceof HttpResponse head) {
                if (head.status().code() == 100) {
                    ReferenceCountUtil.release(message);
                    return;
                }
                responseStarted = true;
                keepAlive = MessageFlags.keepAlive(head);
                headerNanos = System.nanoTime() - sentNanos;
                transaction.routeMetrics().upstreamLatency(headerNanos);
                transaction.responseHead(io.gatekit.api.http.HttpResponse.of(head.status().code(),
                        HttpConversions.toApi(head.headers()), null));
            }
            if (message instanceof HttpContent content) {
                transaction.responseContent(content);
            } else if (!(message instanceof HttpResponse)) {
                ReferenceCountUtil.release(message);
            }
        } finally {
            writer.endBatch();
        }
    }

    /**
     * The upstream's read batch ended: what it produced for the client goes out in one flush (the
     * response head and the first body bytes usually arrive together, so one write call, not two).
     */
    @Override
    public void upstreamReadComplete() {
        transaction.writer().flushIfPending();
    }

    /** The response was read to its end: the connection goes back to the pool if it can serve another. */
    void responseRead() {
        cancelReadTimer();
        Channel done = channel;
        boolean reusable = keepAlive && body.complete() && !body.discarding();
        detach(reusable);
        if (done != null && !reusable) {
            done.close();
        }
    }

    /** Time from sending to the upstream's response head, or -1 when no upstream answered. */
    long headerNanos() {
        return headerNanos;
    }

    @Override
    public void upstreamClosed() {
        if (transaction.finished()) {
            return;
        }
        Target failed = target;
        close();
        if (failed == null) {
            return;
        }
        if (!responseStarted) {
            if (staleConnection()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "pooled connection to " + failed.address()
                        + " was closed; trying a new one");
                staleRetryUsed = true;
                connect(failed);
                return;
            }
            shared.metrics.upstreamFailure(transaction.routeId(), failed.address());
            transaction.attemptFailed(UpstreamFailure.RESPONSE_BROKEN);
            return;
        }
        if (!transaction.writer().complete()) {
            broke(UpstreamFailure.RESPONSE_BROKEN, "closed the connection before the end of its response");
        }
    }

    /** The response broke off after its head: logged, counted, the connection closed, the transaction told. */
    void broke(UpstreamFailure failure, String what) {
        String address = target == null ? "?" : target.address();
        LOG.log(System.Logger.Level.WARNING, "upstream " + address + " " + what + " on route ["
                + transaction.routeId() + "]" + (transaction.clientResponseStarted()
                ? "; closing the client connection" : "; answering " + failure.status()));
        shared.metrics.upstreamResponseCut(transaction.routeId(), address);
        close();
        transaction.responseBroke(failure);
    }

    /**
     * A pooled connection that died before answering: as HTTP clients and nginx treat a cached
     * keep-alive connection, once per request this costs no attempt, since the node may well be
     * alive and have merely closed an idle connection; only when the request could be sent again.
     */
    private boolean staleConnection() {
        return reused && !staleRetryUsed && UpstreamFailure.RESPONSE_BROKEN.mayResend(
                transaction.call().exchange().request().method(), transaction.replayable());
    }

    @Override
    public void upstreamFailed(Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "upstream connection failed", cause);
        upstreamClosed();
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        body.upstreamWritabilityChanged(writable);
    }

    /** The client's writability: the upstream is read only as fast as the client takes the response. */
    void clientWritabilityChanged(boolean writable) {
        if (channel != null) {
            channel.config().setAutoRead(writable);
        }
    }

    /** The client is not taking more: stop reading the upstream until it does. */
    void pauseReading() {
        if (channel != null) {
            channel.config().setAutoRead(false);
        }
    }

    // ---------------------------------------------------------------- read timer

    /**
     * The read timeout runs on the connection's one timer ({@link UpstreamHandler#wakeAt}): reads
     * only note the time, and the timer, when it fires, is asked again for the rest of the period
     * if a read came since. Scheduling a task per request (or per read) and cancelling it would
     * cost more than the request's own work on a fast upstream.
     */
    private void armReadTimer() {
        lastReadNanos = System.nanoTime();
        timing = true;
        handler.wakeAt(lastReadNanos + target.readTimeout().toNanos());
    }

    void cancelReadTimer() {
        timing = false;
    }

    @Override
    public void upstreamTimer() {
        if (!timing || transaction.finished() || channel == null) {
            return;
        }
        long timeout = target.readTimeout().toNanos();
        long left = timeout - (System.nanoTime() - lastReadNanos);
        if (left > 0) {
            handler.wakeAt(System.nanoTime() + left);
            return;
        }
        timing = false;
        if (!responseStarted) {
            LOG.log(System.Logger.Level.WARNING, "upstream " + target.address() + " timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms on route [" + transaction.routeId() + "]");
            shared.metrics.upstreamFailure(transaction.routeId(), target.address());
            close();
            transaction.attemptFailed(UpstreamFailure.READ_TIMEOUT);
        } else {
            broke(UpstreamFailure.READ_TIMEOUT, "timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms in the middle of its response");
        }
    }

    // ---------------------------------------------------------------- the connection

    /** Closes the attempt's connection, if any: it cannot serve another request. */
    void close() {
        Channel closing = channel;
        detach(false);
        if (closing != null) {
            closing.close();
        }
    }

    private void detach(boolean reusable) {
        Channel detached = channel;
        UpstreamHandler detachedHandler = handler;
        channel = null;
        handler = null;
        body.stopStreaming();
        if (detached == null) {
            return;
        }
        detached.config().setAutoRead(true);
        if (reusable) {
            shared.pool.release(detached, detachedHandler, target.node(), target.https());
        } else {
            detachedHandler.detach();
        }
    }
}
