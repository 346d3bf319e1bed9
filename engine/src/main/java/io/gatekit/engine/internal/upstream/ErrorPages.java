package io.gatekit.engine.internal.upstream;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The bodies APISIX answers with when proxying fails (and for a few other statuses nginx answers
 * itself): nginx's own error pages (APISIX exits with the bare status, and nginx fills in its
 * page), as in APISIX's docs:
 * {@code <html><head><title>502 Bad Gateway</title></head>...<hr><center>openresty</center>...}.
 * Clients and scripts match on the status line text inside them.
 */
public final class ErrorPages {

    private static final byte[] BAD_GATEWAY = page("502 Bad Gateway");
    private static final byte[] SERVICE_UNAVAILABLE = page("503 Service Temporarily Unavailable");
    private static final byte[] GATEWAY_TIMEOUT = page("504 Gateway Time-out");
    private static final byte[] TOO_LARGE = page("413 Request Entity Too Large");
    private static final byte[] INTERNAL_ERROR = page("500 Internal Server Error");

    private ErrorPages() {
    }

    /** 502, for an upstream that failed or a route whose upstream has no usable node. */
    public static HttpResponse badGateway() {
        return response(502, BAD_GATEWAY);
    }

    /** 503, for a route with no upstream (APISIX: "missing upstream configuration in Route or Service"). */
    public static HttpResponse serviceUnavailable() {
        return response(503, SERVICE_UNAVAILABLE);
    }

    /** 504, for an upstream that timed out. */
    public static HttpResponse gatewayTimeout() {
        return response(504, GATEWAY_TIMEOUT);
    }

    /** 413, for a body over the size the host or the engine accepts. */
    public static HttpResponse requestEntityTooLarge() {
        return response(413, TOO_LARGE);
    }

    /** 500, for a host's application or the engine itself failing (plugin failures keep APISIX's JSON body). */
    public static HttpResponse internalServerError() {
        return response(500, INTERNAL_ERROR);
    }

    private static HttpResponse response(int status, byte[] body) {
        // a fresh copy: header_filter and body_filter plugins may change what they are handed
        return HttpResponse.of(status, HttpHeaders.of("content-type", "text/html; charset=utf-8"), body.clone());
    }

    private static byte[] page(String title) {
        return ("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
                + "</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
