package io.gatekit.gateway.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpStatus;
import java.nio.charset.StandardCharsets;

/**
 * One whole Admin API response. Those {@link AdminApi} gives have JSON bodies with
 * {@code content-type: application/json} (or no body at all), and all carry
 * {@code X-API-VERSION: v3}, as APISIX's v3 Admin API does.
 *
 * @param status  the HTTP status
 * @param headers the response headers
 * @param body    the body, possibly empty
 */
public record AdminResponse(int status, HttpHeaders headers, byte[] body) {

    public AdminResponse {
        HttpStatus.check("status", status);
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
    }

    private static final byte[] NO_BODY = new byte[0];

    /** A response with {@code body} as JSON. */
    static AdminResponse json(int status, JsonNode body) {
        HttpHeaders headers = v3Headers();
        headers.set("Content-Type", "application/json");
        return new AdminResponse(status, headers, Json.bytes(body));
    }

    /** A response without a body. */
    static AdminResponse empty(int status) {
        return new AdminResponse(status, v3Headers(), NO_BODY);
    }

    private static HttpHeaders v3Headers() {
        return HttpHeaders.of("X-API-VERSION", "v3");
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
