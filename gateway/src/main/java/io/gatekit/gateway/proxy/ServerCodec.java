package io.gatekit.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The HTTP/1.1 server codec of the gateway's listeners: Netty's decoder and encoder, with request
 * framing made strict. Netty resolves a request carrying both {@code Content-Length} and
 * {@code Transfer-Encoding: chunked} by dropping the length and carrying on; a proxy in front of
 * other parsers must not guess (request smuggling), so such a request is marked failed and gets a
 * 400 and a closed connection, as nginx does since 1.21.1; so does any request {@link RequestFraming}
 * refuses. The request line is bounded by the same limit as the header block.
 */
public final class ServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {

    /** Request methods in arrival order, so a response to HEAD goes out without a body. */
    private final Queue<HttpMethod> methods = new ArrayDeque<>();

    /** @param maxHeaderSize the largest request line, and the largest header block */
    public ServerCodec(int maxHeaderSize) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxHeaderSize)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(65536)
                .setAllowDuplicateContentLengths(false);
        init(new Decoder(config), new Encoder());
    }

    private final class Decoder extends HttpRequestDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    methods.add(request.method());
                    if (request.decoderResult().isSuccess()) {
                        RequestFraming.Problem problem = RequestFraming.check(request);
                        if (problem != null) {
                            request.setDecoderResult(DecoderResult.failure(problem));
                        }
                    }
                }
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            super.handleTransferEncodingChunkedWithContentLength(message);
            message.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(
                    "Content-Length and Transfer-Encoding together (expected: one of them)")));
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        private HttpMethod method = HttpMethod.GET;

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method)
                    && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL && msg.status().code() != 101) {
                // a 100 Continue is not the answer to the request: its method stays queued
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod next = methods.poll();
            method = next == null ? HttpMethod.GET : next;
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
