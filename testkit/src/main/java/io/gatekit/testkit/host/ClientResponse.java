package io.gatekit.testkit.host;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * What a client got back from a host.
 *
 * @param status     the status code
 * @param headers    the headers as received
 * @param body       the body when at most 1 MiB, else {@code null}
 * @param bodyLength the length of the body
 * @param bodyCrc    the CRC-32 of the body
 */
public record ClientResponse(int status, HttpHeaders headers, byte @Nullable [] body, long bodyLength, long bodyCrc) {

    /** The most of a body kept whole. */
    public static final int KEEP = 1 << 20;

    /** The body as UTF-8 text ({@code ""} when not kept). */
    public String text() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of header {@code name}, or {@code null}. */
    public @Nullable String header(String name) {
        return headers.get(name);
    }
}
