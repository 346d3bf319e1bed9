package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a request becomes a copy: which headers go, which are changed for mirrors only, and whether
 * the body goes. Immutable; one per instance.
 */
final class CopyRules {

    /**
     * Marks a copy whose request had a body that was left out ({@code body: false}, or larger
     * than {@code max_body_size}); the value is the body's length in bytes, when known.
     */
    static final String BODY_OMITTED_HEADER = "X-Mirror-Body-Omitted";

    /**
     * Not copied: hop-by-hop headers (RFC 9110 7.6.1) belong to the client's connection, and the
     * mirror client frames the copy itself ({@code Content-Length}, {@code Expect}). Host is
     * replaced by the one the upstream receives; a client's own body marker is dropped so that
     * the mirror can trust it.
     */
    private static final Set<String> NOT_COPIED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "content-length", "expect", "host",
            BODY_OMITTED_HEADER.toLowerCase(Locale.ROOT));

    private final Set<String> remove;
    private final String[] setNames;
    private final String[] setValues;
    private final boolean body;
    private final long maxBodySize;

    CopyRules(MirrorConfig.@Nullable HeaderConfig headers, boolean body, long maxBodySize) {
        List<String> removed = headers == null || headers.remove() == null ? List.of() : headers.remove();
        this.remove = removed.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        Map<String, String> set = headers == null || headers.set() == null ? Map.of() : headers.set();
        this.setNames = set.keySet().toArray(String[]::new);
        this.setValues = set.values().toArray(String[]::new);
        this.body = body;
        this.maxBodySize = maxBodySize;
    }

    /** Whether copies carry bodies, so the request body must be buffered. */
    boolean mirrorsBody() {
        return body;
    }

    /** A snapshot of the request as the upstream gets it now, changed as configured. */
    MirrorCopy copy(Exchange exchange) {
        HttpRequest request = exchange.request();
        HttpHeaders headers = HttpHeaders.of();
        String host = upstreamHost(exchange);
        if (host != null && !remove.contains("host")) {
            headers.add("Host", host);
        }
        copyHeaders(request.headers(), headers);
        byte[] bytes = request.body();
        byte[] sent = body && bytes != null && bytes.length > 0 && bytes.length <= maxBodySize ? bytes : null;
        String omitted = sent == null ? omittedLength(request.headers(), bytes) : null;
        if (omitted != null) {
            headers.set(BODY_OMITTED_HEADER, omitted);
        }
        for (int i = 0; i < setNames.length; i++) {
            headers.set(setNames[i], setValues[i]);
        }
        return new MirrorCopy(request.method(), request.path(), request.rawQuery(), headers, sent, omitted != null);
    }

    /** The Host the upstream receives; the client's when the host has not said (it always should). */
    private static @Nullable String upstreamHost(Exchange exchange) {
        String host = exchange.upstream().hostHeader();
        return host != null ? host : exchange.request().headers().get("host");
    }

    private void copyHeaders(HttpHeaders from, HttpHeaders to) {
        List<String> connectionOptions = from.all("connection");
        for (int i = 0; i < from.size(); i++) {
            String name = from.name(i);
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NOT_COPIED.contains(lower) && !remove.contains(lower) && !listed(connectionOptions, lower)) {
                to.add(name, from.value(i));
            }
        }
    }

    /** Whether a {@code Connection} header names {@code lower} as hop-by-hop. */
    private static boolean listed(List<String> connectionOptions, String lower) {
        for (String value : connectionOptions) {
            for (String option : value.split(",")) {
                if (option.trim().equalsIgnoreCase(lower)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The marker's value when the request has a body that is not sent, else {@code null}. */
    private static @Nullable String omittedLength(HttpHeaders headers, byte @Nullable [] bytes) {
        if (bytes != null) {
            return bytes.length > 0 ? Integer.toString(bytes.length) : null;
        }
        String length = headers.get("content-length");
        if (length != null) {
            return length.trim().equals("0") ? null : length.trim();
        }
        return headers.contains("transfer-encoding") ? "unknown" : null;
    }
}
