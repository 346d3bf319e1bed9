package io.gatekit.plugins.ext;

import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;

/** The trace context of a call for its runner messages ({@code traceparent}, say); empty when untraced. */
final class TraceHeaders {

    private static final HttpHeaders NONE = HttpHeaders.of();

    private TraceHeaders() {
    }

    static HttpHeaders of(Exchange exchange) {
        HttpHeaders[] made = {null};
        exchange.forEachContextHeader((name, value) -> {
            if (made[0] == null) {
                made[0] = HttpHeaders.of();
            }
            made[0].add(name, value);
        });
        return made[0] == null ? NONE : made[0];
    }
}
