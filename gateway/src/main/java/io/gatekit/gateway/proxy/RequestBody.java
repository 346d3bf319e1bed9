package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The body of one proxied request, and with it whether the client is read at all (auto-read). It
 * is held back (reading paused) while the request phases run and the upstream connects, then
 * streams to the upstream with back-pressure; or it is read whole when a plugin on the route asks
 * for it, up to {@code body_buffer_limit}; or, once it is not wanted, dropped.
 */
final class RequestBody {

    private final ProxyTransaction transaction;
    private final Channel client;
    private final int bufferLimit;
    /** Whether the head announced a body (a length above 0, or chunked). */
    private final boolean present;
    private boolean complete;
    private boolean discarding;
    private boolean buffering;
    private @Nullable CompositeByteBuf buffer;
    /** Parts that came before the upstream was ready. */
    private @Nullable ArrayDeque<HttpContent> held;
    /** Where the body streams to, once the request head went there. */
    private @Nullable Channel upstream;

    RequestBody(ProxyTransaction transaction, Channel client, HttpRequest head, int bufferLimit) {
        this.transaction = transaction;
        this.client = client;
        this.bufferLimit = bufferLimit;
        this.present = HttpUtil.isContentLengthSet(head) ? HttpUtil.getContentLength(head, 0L) > 0
                : MessageFlags.chunked(head);
        this.complete = !present && head instanceof LastHttpContent;
    }

    boolean present() {
        return present;
    }

    /** Whether its last part has arrived. */
    boolean complete() {
        return complete;
    }

    /** Whether it is being dropped (refused, or answered without it). */
    boolean discarding() {
        return discarding;
    }

    /** Holds the body back while plugins run: nothing more is read from the client. */
    void hold() {
        client.config().setAutoRead(false);
    }

    /** Reads the body whole, for a plugin that asked for it; {@link ProxyTransaction#bodyBuffered} follows. */
    void buffer() {
        buffering = true;
        buffer = client.alloc().compositeBuffer();
        client.config().setAutoRead(true);
    }

    void content(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (discarding) {
            content.release();
        } else if (buffering) {
            bufferPart(content, last);
            return;
        } else if (upstream != null) {
            upstream.writeAndFlush(content).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            if (!upstream.isWritable()) {
                client.config().setAutoRead(false);
            }
        } else if (!present) {
            content.release(); // the empty last part of a request without a body: nothing to send
        } else {
            if (held == null) {
                held = new ArrayDeque<>(4);
            }
            held.add(content);
            client.config().setAutoRead(false);
        }
        if (last) {
            complete = true;
        }
    }

    private void bufferPart(HttpContent content, boolean last) {
        CompositeByteBuf whole = buffer;
        whole.addComponent(true, content.content().retain());
        content.release();
        if (last) {
            complete = true;
        }
        if (whole.readableBytes() > bufferLimit) {
            transaction.bodyOverBufferLimit();
            return;
        }
        if (!last) {
            return;
        }
        buffering = false;
        byte[] bytes = ByteBufUtil.getBytes(whole);
        whole.release();
        buffer = null;
        transaction.bodyBuffered(bytes);
    }

    /** Streams the body to {@code channel}, where the request head just went: what was held first. */
    void streamTo(Channel channel) {
        upstream = channel;
        if (held != null) {
            HttpContent part;
            while ((part = held.poll()) != null) {
                channel.write(part);
            }
        }
        if (!complete && channel.isWritable()) {
            client.config().setAutoRead(true);
        }
    }

    /** The upstream connection is gone: nothing more streams to it. */
    void stopStreaming() {
        upstream = null;
    }

    /** Whether the body streams to an upstream connection. */
    boolean streaming() {
        return upstream != null;
    }

    void upstreamWritabilityChanged(boolean writable) {
        if (upstream != null && !complete) {
            client.config().setAutoRead(writable);
        }
    }

    /** The body is not wanted (the upstream gets another, or the answer needs none): drop it, read on. */
    void discard() {
        releaseHeld();
        if (!complete) {
            discarding = true;
            client.config().setAutoRead(true);
        }
    }

    /** Stops taking the body (too large, too slow): what came and what comes is dropped. */
    void refuse() {
        releaseBuffer();
        releaseHeld();
        buffering = false;
        discarding = true;
        upstream = null;
        client.config().setAutoRead(true);
    }

    void release() {
        releaseHeld();
        releaseBuffer();
    }

    private void releaseHeld() {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }

    private void releaseBuffer() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
