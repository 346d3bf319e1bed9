package io.gatekit.api.client;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.http.HttpHeaders;

/**
 * The answer to an {@link OutboundRequest}.
 *
 * @param status  the status code
 * @param headers the response headers
 * @param body    the whole body; empty when there was none
 */
public record OutboundResponse(int status, HttpHeaders headers, byte[] body) {

    /**
     * Checks that headers and body are present.
     *
     * @param status  the status code
     * @param headers the response headers
     * @param body    the whole body; empty when there was none
     */
    public OutboundResponse {
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
    }
}
