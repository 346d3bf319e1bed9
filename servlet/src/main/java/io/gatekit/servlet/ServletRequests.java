package io.gatekit.servlet;

import io.gatekit.api.http.HttpRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Enumeration;

/** The servlet request as the engine's {@link HttpRequest}: method, path and query as sent, headers, addresses. */
final class ServletRequests {

    private ServletRequests() {
    }

    static HttpRequest toEngine(HttpServletRequest servlet) {
        HttpRequest.Builder request = HttpRequest.builder()
                .method(servlet.getMethod())
                .scheme("https".equalsIgnoreCase(servlet.getScheme()) ? "https" : "http")
                .path(servlet.getRequestURI()) // as sent: still percent-encoded, context path included
                .rawQuery(servlet.getQueryString())
                .remoteAddress(address(servlet.getRemoteAddr(), servlet.getRemotePort()))
                .localAddress(address(servlet.getLocalAddr(), servlet.getLocalPort()));
        Enumeration<String> names = servlet.getHeaderNames();
        while (names.hasMoreElements()) {
            String name = names.nextElement();
            Enumeration<String> values = servlet.getHeaders(name);
            while (values.hasMoreElements()) {
                request.header(name, values.nextElement());
            }
        }
        return request.build();
    }

    /**
     * The declared length of the request body: its Content-Length; else, in HTTP/1.x, -1 when it
     * is chunked and 0 when it is not (no body, as RFC 9112 says); else (HTTP/2, where a body needs
     * neither header) -1, unknown until it ends.
     */
    static long bodyLength(HttpServletRequest servlet) {
        long declared = servlet.getContentLengthLong();
        if (declared >= 0) {
            return declared;
        }
        if (servlet.getHeader("transfer-encoding") != null) {
            return -1;
        }
        String protocol = servlet.getProtocol();
        return "HTTP/1.1".equals(protocol) || "HTTP/1.0".equals(protocol) ? 0 : -1;
    }

    /** An address the container gives as text: an IP literal (parsed, no lookup) and a port. */
    private static InetSocketAddress address(String host, int port) {
        int p = Math.max(0, Math.min(port, 65535));
        if (host == null || host.isEmpty()) {
            return InetSocketAddress.createUnresolved("0.0.0.0", p);
        }
        if (isLiteral(host)) {
            try {
                return new InetSocketAddress(InetAddress.getByName(host), p);
            } catch (UnknownHostException e) {
                // not an address after all: keep the text
            }
        }
        return InetSocketAddress.createUnresolved(host, p);
    }

    /** Whether {@code host} is an IPv4 or IPv6 literal, which {@link InetAddress#getByName} parses without DNS. */
    private static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }
}
