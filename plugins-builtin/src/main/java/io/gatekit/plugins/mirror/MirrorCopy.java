package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;

/**
 * What every target of one request is sent: the request as the upstream gets it, taken at
 * {@code before_proxy}. The headers are a copy owned by this record; the body array is shared with
 * the request, not copied, as request bodies are replaced rather than changed in place.
 *
 * @param method       the method
 * @param path         the final upstream path
 * @param rawQuery     the final upstream query, or {@code null}
 * @param headers      the headers to send, Host first
 * @param body         the body to send, or {@code null} for none
 * @param bodyOmitted  whether the request had a body that is not sent
 */
record MirrorCopy(String method, String path, @Nullable String rawQuery, HttpHeaders headers,
        byte @Nullable [] body, boolean bodyOmitted) {
}
