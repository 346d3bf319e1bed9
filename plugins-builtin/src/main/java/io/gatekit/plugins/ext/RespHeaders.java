package io.gatekit.plugins.ext;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.runner.TextEntry;
import java.util.List;

/**
 * Response headers a pre-req or post-req runner asked for ({@code Rewrite.resp_headers}), kept on
 * the exchange until the response is known and applied then, to whatever response the client gets.
 *
 * @param entries the headers, APISIX's exclude list already taken out
 */
record RespHeaders(List<TextEntry> entries) {

    RespHeaders {
        entries = List.copyOf(entries);
    }

    void applyTo(HttpHeaders headers) {
        Entries.apply(entries, headers, true);
    }
}
