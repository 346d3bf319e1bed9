package io.gatekit.gateway.admin;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import java.util.Locale;

/**
 * One whole Admin API request, as the server received it.
 *
 * <pre>{@code
 * new AdminRequest("PUT", "/apisix/admin/routes/1", null,
 *         HttpHeaders.of("X-API-KEY", key), body, "127.0.0.1");
 * }</pre>
 *
 * @param method   the HTTP method; upper-cased
 * @param path     the path as received, without the query (percent escapes are decoded per segment)
 * @param rawQuery the query string without {@code ?}, or {@code null}
 * @param headers  the request headers
 * @param body     the whole body; {@code null} is taken as empty
 * @param remoteIp the client's IP address literal (IPv4 or IPv6, a {@code %zone} suffix is ignored)
 */
public record AdminRequest(String method, String path, @Nullable String rawQuery, HttpHeaders headers, byte[] body,
        String remoteIp) {

    private static final byte[] EMPTY = new byte[0];

    public AdminRequest {
        requireNonNull(method, "method");
        if (method.isEmpty()) {
            throw Arguments.invalid("method", "\"\"", "an HTTP method such as GET");
        }
        method = method.toUpperCase(Locale.ROOT);
        requireNonNull(path, "path");
        requireNonNull(headers, "headers");
        body = body == null ? EMPTY : body;
        requireNonNull(remoteIp, "remoteIp");
    }
}
