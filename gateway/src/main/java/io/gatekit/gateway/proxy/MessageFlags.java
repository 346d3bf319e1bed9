package io.gatekit.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Netty's {@link HttpUtil} answers about one message, read without an iterator when the header
 * they depend on is absent, as it is on most requests: {@code HttpUtil.isKeepAlive} and
 * {@code isTransferEncodingChunked} walk the header's values with a new iterator every call, and
 * the proxy path asks them for every request and response.
 */
final class MessageFlags {

    private MessageFlags() {
    }

    /** {@link HttpUtil#isKeepAlive}: without a {@code Connection} header, the version's default. */
    static boolean keepAlive(HttpMessage message) {
        return message.headers().contains(HttpHeaderNames.CONNECTION) ? HttpUtil.isKeepAlive(message)
                : message.protocolVersion().isKeepAliveDefault();
    }

    /** {@link HttpUtil#isTransferEncodingChunked}: without a {@code Transfer-Encoding} header, false. */
    static boolean chunked(HttpMessage message) {
        return message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) && HttpUtil.isTransferEncodingChunked(message);
    }
}
