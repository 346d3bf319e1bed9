package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;

/** How {@code ext-plugin-post-resp} applies the runner's response headers. */
enum HeaderMode {
    /**
     * The default: the runner's headers are set on top of the upstream's (the first value of a name
     * replaces it, later values add to it, a name without a value deletes it); every other upstream
     * header, Content-Type, Location and Content-Encoding included, stays.
     */
    MERGE,
    /**
     * APISIX's behaviour: when the runner sends any header, its headers replace the whole upstream
     * header set; when it sends none, the upstream headers stay.
     */
    REPLACE;

    static HeaderMode of(@Nullable String configured) {
        return "replace".equals(configured) ? REPLACE : MERGE;
    }
}
