package io.gatekit.spring.boot;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.host.Body;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.adapter.JdkFlowAdapter;

/** The reactive request as the engine's {@link HttpRequest} and {@link Body}. */
final class ReactiveRequests {

    private static final InetSocketAddress UNKNOWN = InetSocketAddress.createUnresolved("0.0.0.0", 0);

    private ReactiveRequests() {
    }

    static HttpRequest toEngine(ServerHttpRequest request) {
        String scheme = request.getURI().getScheme();
        HttpRequest.Builder builder = HttpRequest.builder()
                .method(request.getMethod().name())
                .scheme("https".equalsIgnoreCase(scheme) ? "https" : "http")
                .path(request.getURI().getRawPath()) // as sent: still percent-encoded
                .rawQuery(request.getURI().getRawQuery())
                .remoteAddress(orUnknown(request.getRemoteAddress()))
                .localAddress(orUnknown(request.getLocalAddress()));
        for (Map.Entry<String, List<String>> header : request.getHeaders().headerSet()) {
            for (String value : header.getValue()) {
                builder.header(header.getKey(), value);
            }
        }
        return builder.build();
    }

    /**
     * The request body, streamed once: its Content-Length when declared; else -1 when chunked and 0
     * when not (HTTP/1.1: no body).
     */
    static Body body(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        long length = headers.getContentLength();
        if (length < 0) {
            length = headers.containsKey(HttpHeaders.TRANSFER_ENCODING) ? -1 : 0;
        }
        if (length == 0) {
            return Body.empty();
        }
        return Body.of(JdkFlowAdapter.publisherToFlowPublisher(request.getBody().map(ReactiveRequests::copy)), length);
    }

    /** The buffer's bytes in a heap buffer the engine may keep; the pooled buffer is released. */
    static ByteBuffer copy(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return ByteBuffer.wrap(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private static InetSocketAddress orUnknown(InetSocketAddress address) {
        return address != null ? address : UNKNOWN;
    }
}
