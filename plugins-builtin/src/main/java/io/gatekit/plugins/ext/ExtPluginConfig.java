package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;
import java.util.List;

/**
 * One {@code ext-plugin-*} instance's config, as bound from the validated JSON. {@code conf} and
 * {@code allow_degradation} are APISIX's (the default of the latter comes from the schema); the
 * rest are optional extensions with no schema default, so a config written for APISIX is stored
 * exactly as APISIX stores it.
 *
 * <p>Components are named as the JSON keys, snake_case included (the engine's binder does not map
 * snake_case keys onto camelCase record components yet).
 *
 * @param conf              the runner plugins to run, in order, or {@code null} for none
 * @param allow_degradation whether a runner failure lets the request (or response) go on unchanged
 * @param read_request_body whether the host reads the request body whole first so the runner can
 *                          ask for it; {@code null} means yes
 * @param timeout           the deadline of one runner call in seconds, or {@code null} for 5 s
 * @param header_mode       {@code ext-plugin-post-resp} only: {@code merge} (or {@code null}) applies
 *                          the runner's headers on top of the upstream's, {@code replace} as APISIX
 */
record ExtPluginConfig(
        @Nullable List<ConfEntry> conf,
        boolean allow_degradation,
        @Nullable Boolean read_request_body,
        @Nullable Double timeout,
        @Nullable String header_mode) {

    /**
     * One runner plugin.
     *
     * @param name  the runner plugin's name
     * @param value its config, JSON by convention
     */
    record ConfEntry(String name, String value) {
    }
}
