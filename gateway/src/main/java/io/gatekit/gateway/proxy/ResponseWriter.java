package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Writes one response to the client: a whole one, or a head then its body as it streams. The
 * HTTP/1.1 framing lives here and nowhere else in a transaction: {@code Connection: keep-alive}
 * or {@code close}, chunked encoding when the length is unknown, no body for HEAD, the
 * {@code Server} header. Writes made while the upstream's read batch runs are flushed once at its
 * end, so the head and the first body bytes usually leave in one write call.
 */
final class ResponseWriter {

    private final ProxyTransaction transaction;
    private final ChannelHandlerContext client;
    private final boolean head;
    /** Cleared when the answer is an error after which the connection must not be reused (as nginx). */
    private boolean keepAlive;
    private boolean headWritten;
    private boolean complete;
    private int status;
    private long bodyBytes;
    /** Body parts that came before the head could be written (header_filter still running). */
    private @Nullable ArrayDeque<HttpContent> held;
    /** Inside an upstream read batch: flushes wait for its end. */
    private boolean inBatch;
    private boolean flushPending;

    ResponseWriter(ProxyTransaction transaction, ChannelHandlerContext client, boolean head, boolean keepAlive) {
        this.transaction = transaction;
        this.client = client;
        this.head = head;
        this.keepAlive = keepAlive;
    }

    /** Whether the request was a HEAD: the response goes out without its body. */
    boolean head() {
        return head;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    /** The connection closes after this response. */
    void closeAfter() {
        keepAlive = false;
    }

    /** Whether the response head has gone out (or is going): from then on only the body can follow. */
    boolean headWritten() {
        return headWritten;
    }

    /** Whether the last part of the response has been written. */
    boolean complete() {
        return complete;
    }

    /** Body bytes handed to the client connection ({@code $body_bytes_sent}). */
    long bodyBytes() {
        return bodyBytes;
    }

    /** The status sent, for the access metrics. */
    int status() {
        return status;
    }

    /** Writes a whole response, then tells the transaction once it is flushed. */
    void whole(int status, HttpHeaders headers, byte @Nullable [] body) {
        this.status = status;
        headWritten = true;
        bodyBytes = head || body == null ? 0 : body.length;
        writeLast(whole(status, headers, body, keepAlive, head));
    }

    /** Writes the head of a streamed response; {@link #body} writes the rest. */
    void head(int status, HttpHeaders headers) {
        this.status = status;
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        HttpConversions.copy(headers, out.headers());
        boolean bodiless = head || status == 204 || status == 304 || status < 200;
        if (!bodiless && !HttpUtil.isContentLengthSet(out)) {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        HttpUtil.setKeepAlive(out, keepAlive);
        if (!out.headers().contains(HttpHeaderNames.SERVER)) {
            out.headers().set(HttpHeaderNames.SERVER, "gatekit");
        }
        headWritten = true;
        client.write(out);
        if (held == null || held.isEmpty()) {
            flush();
        }
    }

    /** Keeps a body part that came before the head was written. */
    void hold(HttpContent content) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(content);
    }

    /** The next part kept by {@link #hold}, or {@code null}. */
    @Nullable HttpContent nextHeld() {
        return held == null ? null : held.poll();
    }

    /**
     * Writes a part of the body (the last one completes the response); returns whether the client
     * takes more now, so that the upstream can be paused when it does not.
     */
    boolean body(HttpContent content) {
        bodyBytes += content.content().readableBytes();
        if (content instanceof LastHttpContent) {
            writeLast(content);
            return true;
        }
        client.write(content);
        flush();
        return client.channel().isWritable();
    }

    /** Writes the final part of the response and tells the transaction once it is flushed. */
    private void writeLast(Object last) {
        complete = true;
        flushPending = false; // this flush takes whatever waited for the end of the read batch
        client.writeAndFlush(last).addListener(f -> {
            if (!f.isSuccess()) {
                client.close();
            }
            transaction.responseWritten();
        });
    }

    /** An upstream read batch begins: flushes wait for {@link #endBatch}. */
    void beginBatch() {
        inBatch = true;
    }

    void endBatch() {
        inBatch = false;
    }

    /** The upstream's read batch ended: what it produced goes out in one flush. */
    void flushIfPending() {
        if (flushPending) {
            flushPending = false;
            client.flush();
        }
    }

    /** Flushes now, or at the end of the upstream read batch when inside one. */
    private void flush() {
        if (inBatch) {
            flushPending = true;
        } else {
            flushPending = false;
            client.flush();
        }
    }

    /** Drops the body parts still held. */
    void release() {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }

    /** A whole response of the data plane: its length, keep-alive or close, no body for HEAD, {@code Server}. */
    static FullHttpResponse whole(int status, HttpHeaders headers, byte @Nullable [] body, boolean keepAlive,
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
}
