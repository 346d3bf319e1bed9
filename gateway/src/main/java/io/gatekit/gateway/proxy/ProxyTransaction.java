package io.gatekit.gateway.proxy;

import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;
import io.gatekit.engine.Call;
import io.gatekit.engine.host.UpstreamFailure;
import io.gatekit.gateway.metrics.GatewayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.ByteBuffer;

/**
 * One proxied request on a client connection, from its head to the last byte of its response: it
 * conducts the engine's steps ({@link Call}) and leaves the I/O to its three parts, the
 * {@link RequestBody}, the {@link UpstreamAttempt} and the {@link ResponseWriter}. Runs on the
 * client channel's event loop; the upstream connection shares that loop, and async plugin results
 * hop back onto it, so no state here is touched by two threads.
 *
 * <p>The phases, in order: {@link #start} (a route, the body held or read whole), the request
 * phases, {@code before_proxy} and the node the engine picks, the attempts (each failure back to
 * the engine, which names the next node or answers 502/504), the response head through
 * {@code header_filter}, the body through {@code body_filter}, and {@link #responseWritten}. Every
 * engine step goes through {@link #handle}: proceed, answer, or wait.
 */
final class ProxyTransaction {

    private static final System.Logger LOG = System.getLogger(ProxyTransaction.class.getName());

    private final ProxyContext shared;
    private final ChannelHandlerContext client;
    private final ProxyHandler handler;
    private final HttpRequest head;
    private final long startNanos = System.nanoTime();
    private final RequestBody body;
    private final UpstreamAttempt attempt;
    private final ResponseWriter writer;
    private @Nullable Call call;
    /** The upstream's response, as the engine sees it. */
    private @Nullable HttpResponse response;
    /** The upstream's body, read whole for a plugin that asked for it. */
    private @Nullable CompositeByteBuf responseBuffer;
    private boolean headerFilterPending;
    /** The response is the engine's, a plugin's or this transaction's, not the upstream's. */
    private boolean localAnswer;
    private boolean finished;
    private GatewayMetrics.@Nullable RouteSeries routeMetrics;

    ProxyTransaction(ProxyContext shared, ChannelHandlerContext client, ProxyHandler handler, HttpRequest head) {
        this.shared = shared;
        this.client = client;
        this.handler = handler;
        this.head = head;
        this.body = new RequestBody(this, client.channel(), head, shared.config().bodyBufferLimit());
        this.attempt = new UpstreamAttempt(this, shared, client, body);
        this.writer = new ResponseWriter(this, client, head.method().equals(HttpMethod.HEAD),
                MessageFlags.keepAlive(head));
    }

    HttpRequest head() {
        return head;
    }

    /** When the request arrived ({@code $request_time} counts from here). */
    long startNanos() {
        return startNanos;
    }

    /** The upstream part of the request, for the access log. */
    UpstreamAttempt attempt() {
        return attempt;
    }

    Call call() {
        return call;
    }

    ResponseWriter writer() {
        return writer;
    }

    boolean finished() {
        return finished;
    }

    // ---------------------------------------------------------------- request

    void start() {
        call = shared.engine.newCall(HttpConversions.toApi(head, client.channel()));
        if (body.present() && call.bodyBuffering().request()) {
            body.buffer();
            return;
        }
        body.hold();
        runRequestPhases();
    }

    void requestContent(HttpContent content) {
        if (finished) {
            content.release();
            return;
        }
        body.content(content);
    }

    /** The body a plugin asked for is read whole: the request phases can run. */
    void bodyBuffered(byte[] whole) {
        call.exchange().request().body(whole);
        runRequestPhases();
    }

    void bodyOverBufferLimit() {
        refuseBody(413, "413 Request Entity Too Large");
    }

    /** The body went over client_max_body_size while it streamed. */
    void bodyTooLarge() {
        if (!body.discarding()) {
            refuseBody(413, "413 Request Entity Too Large");
        }
    }

    /** The client stopped sending its body for longer than client_body_timeout. */
    void clientBodyTimedOut() {
        if (!body.complete()) {
            refuseBody(408, "408 Request Time-out: no body bytes for client_body_timeout ("
                    + shared.config().clientBodyTimeout().toMillis() + " ms)");
        }
    }

    /** Stops taking the body: what came is dropped, the answer is {@code status}, the connection ends. */
    private void refuseBody(int status, String message) {
        writer.closeAfter();
        body.refuse();
        if (writer.headWritten() || finished) {
            abortClient();
            return;
        }
        // the upstream has part of a body that will never end: that connection cannot be reused
        attempt.close();
        respondError(status, message);
    }

    private void runRequestPhases() {
        handle(call.runRequestPhases(), this::proxy);
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
                    respondError(500, "500 Internal Server Error");
                } else {
                    handle(result, next);
                }
            }));
        }
    }

    // ---------------------------------------------------------------- upstream

    /** The engine picks the node and runs before_proxy; an APISIX 503/502 comes back as a response. */
    private void proxy() {
        handle(call.beforeProxy(), this::connect);
    }

    private void connect() {
        attempt.connect(call.target());
    }

    /**
     * The engine decides what a failed attempt leads to: the next node (then {@link #connect}),
     * or APISIX's 502/504, answered like any local response.
     */
    void attemptFailed(UpstreamFailure failure) {
        attempt.cancelReadTimer();
        handle(call.upstreamFailed(failure, replayable()), this::connect);
    }

    /** Whether the request can be sent again: no body, or one held whole. */
    boolean replayable() {
        return !body.present() || call.exchange().request().body() != null;
    }

    void responseHead(HttpResponse upstreamResponse) {
        response = upstreamResponse;
        if (call.bodyBuffering().response() && !writer.head()) {
            responseBuffer = client.alloc().compositeBuffer();
            return;
        }
        if (call.filtersBody()) {
            // body_filter may change the length; the body goes out chunked instead
            upstreamResponse.headers().remove("content-length");
        }
        runHeaderFilter(true);
    }

    void responseContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (responseBuffer != null) {
            responseBuffer.addComponent(true, content.content().retain());
            content.release();
            int limit = shared.config().bodyBufferLimit();
            if (responseBuffer.readableBytes() > limit) {
                attempt.broke(UpstreamFailure.RESPONSE_BROKEN, "sent a body over body_buffer_limit (" + limit
                        + " bytes) to a route that reads it whole");
                return;
            }
            if (last) {
                response.body(ByteBufUtil.getBytes(responseBuffer));
                releaseResponseBuffer();
                attempt.responseRead();
                runHeaderFilter(true);
            }
            return;
        }
        if (last) {
            attempt.responseRead();
        }
        if (!writer.headWritten()) {
            writer.hold(content);
            return;
        }
        writeBody(content);
    }

    /**
     * The upstream's response broke off after its head (the attempt logged it). While nothing
     * reached the client yet (the body was being held whole, or header_filter had not run), the
     * client gets APISIX's 502 or 504; once streaming began, all that can be done is to end the
     * connection.
     */
    void responseBroke(UpstreamFailure failure) {
        if (clientResponseStarted()) {
            abortClient();
            return;
        }
        releaseResponseBuffer();
        writer.release();
        handle(call.upstreamFailed(failure, false), this::connect);
    }

    /** Whether the client's response has begun (header_filter running, or the head written). */
    boolean clientResponseStarted() {
        return writer.headWritten() || headerFilterPending;
    }

    void clientWritabilityChanged(boolean writable) {
        attempt.clientWritabilityChanged(writable);
    }

    // ---------------------------------------------------------------- response

    private void runHeaderFilter(boolean fromUpstream) {
        headerFilterPending = true;
        Completion completion = fromUpstream ? call.upstreamResponse(response) : call.localResponse(response);
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
        HttpResponse out = call.exchange().response();
        if (out.body() != null || localAnswer) {
            // a local answer without a body has an empty one: no upstream content will follow
            byte[] whole = out.body() != null ? out.body() : new byte[0];
            ByteBuffer filtered = call.filtersBody() ? call.bodyFilter(ByteBuffer.wrap(whole), true) : null;
            if (filtered != null) {
                whole = new byte[filtered.remaining()];
                filtered.get(whole);
            }
            writer.whole(out.status(), out.headers(), whole);
            return;
        }
        writer.head(out.status(), out.headers());
        HttpContent held;
        while ((held = writer.nextHeld()) != null) {
            writeBody(held);
        }
    }

    private void writeBody(HttpContent content) {
        HttpContent out = content;
        if (call.filtersBody()) {
            boolean last = content instanceof LastHttpContent;
            ByteBuffer view = content.content().nioBuffer();
            ByteBuffer filtered = call.bodyFilter(view, last);
            if (filtered != view) {
                ByteBuf replaced = Unpooled.wrappedBuffer(filtered);
                content.release();
                out = last ? new DefaultLastHttpContent(replaced) : new DefaultHttpContent(replaced);
            }
        }
        if (!writer.body(out)) {
            attempt.pauseReading();
        }
    }

    private void respondLocally(HttpResponse local) {
        if (finished || writer.headWritten()) {
            return;
        }
        attempt.close();
        if (!body.complete()) {
            body.discard();
        }
        response = local;
        localAnswer = true;
        runHeaderFilter(false);
    }

    private void respondError(int status, String message) {
        respondLocally(HttpResponse.of(status, HttpHeaders.of("content-type", "application/json"),
                JsonText.errorBody(message)));
    }

    // ---------------------------------------------------------------- the end

    /** The response is flushed to the client: the log phase runs, the connection goes on. */
    void responseWritten() {
        if (finished) {
            return;
        }
        finished = true;
        attempt.cancelReadTimer();
        call.complete();
        long nanos = System.nanoTime() - startNanos;
        routeMetrics().request(writer.status(), nanos);
        if (shared.accessLog != null) {
            shared.accessLog.log(this, nanos);
        }
        if (shared.apisix != null) {
            ApisixRequestMetrics.record(shared.apisix, this, nanos);
        }
        release();
        handler.transactionDone(this, writer.keepAlive() && writer.complete());
    }

    private void abortClient() {
        finished = true;
        attempt.cancelReadTimer();
        if (call != null) {
            call.complete();
        }
        client.close();
    }

    /** The client went away or sent garbage: release everything, answer nothing. */
    void abort() {
        if (!finished) {
            finished = true;
            attempt.cancelReadTimer();
            if (call != null) {
                call.complete();
            }
        }
        attempt.close();
        release();
    }

    private void release() {
        body.release();
        writer.release();
        releaseResponseBuffer();
    }

    private void releaseResponseBuffer() {
        if (responseBuffer != null) {
            responseBuffer.release();
            responseBuffer = null;
        }
    }

    /** The route's series, looked up once per request (the route is settled before anything is recorded). */
    GatewayMetrics.RouteSeries routeMetrics() {
        GatewayMetrics.RouteSeries series = routeMetrics;
        if (series == null) {
            series = shared.metrics.route(routeId());
            routeMetrics = series;
        }
        return series;
    }

    String routeId() {
        String id = call == null ? null : call.exchange().routeId();
        return id == null ? "" : id;
    }
}
