package io.gatekit.plugins.ext;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.HttpStatus;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.Reply;
import java.nio.ByteBuffer;

/** The response side of the protocol: describing an upstream response, applying the runner's answer. */
final class RespCalls {

    private RespCalls() {
    }

    /**
     * The upstream's status and headers, names as the upstream spelled them, one entry per value,
     * then {@code trace}: the call's trace context, when a tracer follows it, so runner-side spans
     * join the call's trace.
     */
    static HttpRespCall describe(int upstreamStatus, HttpHeaders headers, long id, HttpHeaders trace) {
        HttpRespCall.Builder call = HttpRespCall.builder().id(id).status(upstreamStatus);
        for (int i = 0; i < headers.size(); i++) {
            if (trace.isEmpty() || !trace.contains(headers.name(i))) {
                call.addHeader(headers.name(i), headers.value(i));
            }
        }
        trace.forEach(call::addHeader);
        return call.build();
    }

    /**
     * Applies the runner's answer to the response: a non-zero status replaces the status, headers
     * per {@code mode}, a non-empty body replaces the body, except on a response that cannot carry
     * one (HEAD, 1xx, 204, 304), which stays without. The answer is checked whole first.
     *
     * @throws IllegalArgumentException when the answer cannot be applied; nothing has changed then
     */
    static void apply(Reply result, HttpResponse response, HeaderMode mode, boolean headRequest) {
        int status = result.status();
        HttpStatus.checkOrZero("runner status", status);
        Entries.checkHeaders("response header", result.headers());
        if (status != 0) {
            response.status(status);
        }
        if (!result.headers().isEmpty()) {
            if (mode == HeaderMode.REPLACE) {
                response.headers().clear();
            }
            Entries.apply(result.headers(), response.headers(), false);
        }
        ByteBuffer body = result.body();
        if (body.hasRemaining() && !bodiless(response.status(), headRequest)) {
            byte[] bytes = new byte[body.remaining()];
            body.get(bytes);
            response.body(bytes);
        }
    }

    /** Whether a response with this status, to this method, has no body on the wire. */
    static boolean bodiless(int status, boolean headRequest) {
        return headRequest || status < 200 || status == 204 || status == 304;
    }
}
