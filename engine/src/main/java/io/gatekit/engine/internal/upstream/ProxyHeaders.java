package io.gatekit.engine.internal.upstream;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The headers a proxied request gains on its way to the upstream, as APISIX's nginx sets them:
 * {@code Host} after {@code pass_host}; {@code X-Forwarded-For} with the client's address appended
 * (nginx's {@code $proxy_add_x_forwarded_for}); {@code X-Real-IP}; unless the request already
 * carries them, {@code X-Forwarded-Proto} (the client's scheme), {@code X-Forwarded-Host} (the
 * client's Host header) and {@code X-Forwarded-Port} (the port the client connected to); and no
 * {@code Connection} header (HTTP/1.1 keeps the connection open without one).
 */
public final class ProxyHeaders {

    private ProxyHeaders() {
    }

    /**
     * Hands {@code sink} each header the upstream receives: the request's end-to-end headers as
     * they stand, without framing headers and without those replaced here, then {@code Host},
     * {@code X-Forwarded-For}, {@code X-Real-IP} and the missing {@code X-Forwarded-*}
     * ({@code X-Forwarded-Host} from the Host header the client sent).
     */
    public static void forEachUpstreamHeader(HttpRequest request, String hostHeader, BiConsumer<String, String> sink) {
        HttpHeaders headers = request.headers();
        String originalHost = request.receivedHostHeader();
        Set<String> listed = HopByHop.connectionTokens(headers.get("connection"));
        String priorForwardedFor = null;
        boolean proto = false;
        boolean forwardedHost = false;
        boolean forwardedPort = false;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (HopByHop.isHopByHop(name) || HopByHop.isFraming(name)
                    || !listed.isEmpty() && listed.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            switch (name.length()) {
                case 4 -> {
                    if (name.equalsIgnoreCase("host")) {
                        continue;
                    }
                }
                case 9 -> {
                    if (name.equalsIgnoreCase("x-real-ip")) {
                        continue;
                    }
                }
                case 15 -> {
                    if (name.equalsIgnoreCase("x-forwarded-for")) {
                        String value = headers.value(i);
                        priorForwardedFor = priorForwardedFor == null ? value : priorForwardedFor + ", " + value;
                        continue;
                    }
                }
                case 16 -> {
                    forwardedHost |= name.equalsIgnoreCase("x-forwarded-host");
                    forwardedPort |= name.equalsIgnoreCase("x-forwarded-port");
                }
                case 17 -> proto |= name.equalsIgnoreCase("x-forwarded-proto");
                default -> {
                }
            }
            sink.accept(name, headers.value(i));
        }
        String ip = request.remoteIp();
        sink.accept("Host", hostHeader);
        sink.accept("X-Forwarded-For", priorForwardedFor == null ? ip : priorForwardedFor + ", " + ip);
        sink.accept("X-Real-IP", ip);
        if (!proto) {
            sink.accept("X-Forwarded-Proto", request.scheme());
        }
        if (!forwardedHost) {
            sink.accept("X-Forwarded-Host", originalHost != null && !originalHost.isEmpty() ? originalHost
                    : request.host());
        }
        if (!forwardedPort) {
            sink.accept("X-Forwarded-Port", Integer.toString(request.localAddress().getPort()));
        }
    }
}
