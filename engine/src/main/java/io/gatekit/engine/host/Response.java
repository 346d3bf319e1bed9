package io.gatekit.engine.host;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpStatus;

/**
 * A response with a streaming body: what a {@link Transport} or an {@link Application} answers, and
 * what {@link io.gatekit.engine.Engine#serve} hands back to the host for its client.
 *
 * <p>The engine's responses carry no hop-by-hop header (no {@code Connection},
 * {@code Transfer-Encoding}, ...): the host frames the body itself, with {@code Content-Length}
 * when {@link Body#length()} is known and the response has a body, chunked otherwise.
 *
 * @param status  the status code, 100 to 599
 * @param headers the headers
 * @param body    the body ({@link Body#empty()} for none)
 */
public record Response(int status, HttpHeaders headers, Body body) {

    public Response {
        HttpStatus.check("status", status);
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
    }

    /** A response with {@code status}, {@code headers} and a whole {@code body}. */
    public static Response of(int status, HttpHeaders headers, byte[] body) {
        return new Response(status, headers, Body.of(body));
    }
}
