package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The checks RFC 9112 asks of a server before it trusts a request's framing, beyond what Netty's
 * decoder does. Netty treats any {@code Transfer-Encoding} that merely mentions chunked as chunked
 * and one that does not as "no body"; a parser behind the gateway may read the same bytes
 * differently, which is how requests are smuggled, so anything but exactly one {@code chunked}
 * is refused (as nginx does), as is a request without exactly one {@code Host}.
 */
final class RequestFraming {

    /** What is wrong, and the status it calls for (400, or 501 for a coding Gatekit does not decode). */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Problem(int status, String message) {
            // no stack trace: it only carries a message to the handler, and a client can cause many
            super(message, null, false, false);
            this.status = status;
        }
    }

    private RequestFraming() {
    }

    /** What is wrong with {@code request}'s framing, or {@code null} when nothing is. */
    static @Nullable Problem check(HttpRequest request) {
        if (request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            List<String> codings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
            Problem problem = transferEncoding(request, String.join(", ", codings));
            if (problem != null) {
                return problem;
            }
        }
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            int hosts = 0;
            for (Iterator<? extends CharSequence> it = request.headers().valueCharSequenceIterator(HttpHeaderNames.HOST);
                    it.hasNext(); it.next()) {
                hosts++;
            }
            if (hosts != 1) {
                return new Problem(400, "Host: " + (hosts == 0 ? "missing" : hosts + " headers")
                        + " (expected: exactly one Host header in an HTTP/1.1 request)");
            }
        }
        return null;
    }

    private static @Nullable Problem transferEncoding(HttpRequest request, String value) {
        if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return new Problem(400, "Transfer-Encoding: " + value + " (expected: none in an "
                    + request.protocolVersion() + " request)");
        }
        String[] parts = value.split(",", -1);
        int chunked = 0;
        for (String part : parts) {
            if (ows(part).equals("chunked")) {
                chunked++;
            }
        }
        String last = ows(parts[parts.length - 1]);
        if (!last.equals("chunked") || chunked > 1) {
            // RFC 9112 6.3: without chunked as the final coding, once, the body length is unknowable
            return new Problem(400, "Transfer-Encoding: " + value + " (expected: chunked, once, as the last coding)");
        }
        if (parts.length > 1) {
            return new Problem(501, "Transfer-Encoding: " + value + " (expected: chunked)");
        }
        return null;
    }

    /** Lower case without the optional white space around list items: SP and HTAB only, never VT or FF. */
    private static String ows(String item) {
        int from = 0;
        int to = item.length();
        while (from < to && (item.charAt(from) == ' ' || item.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (item.charAt(to - 1) == ' ' || item.charAt(to - 1) == '\t')) {
            to--;
        }
        return item.substring(from, to).toLowerCase(Locale.ROOT);
    }
}
