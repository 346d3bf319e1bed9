package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;
import java.util.List;
import java.util.Map;

/**
 * One {@code proxy-mirror} instance's config, as bound from the validated JSON. The first four
 * components are APISIX's (their defaults come from the schema); the rest are optional extensions
 * with no schema default, so a config written for APISIX is stored exactly as APISIX stores it and
 * an absent extension keeps APISIX's behaviour.
 *
 * <p>Components are named exactly as the JSON keys, snake_case included: the engine's binder is
 * meant to map {@code sample_ratio} to {@code sampleRatio}, but today its aliases do not reach a
 * record's constructor, so camelCase components would silently stay unset. Renaming them to
 * camelCase is safe once the binder does.
 *
 * @param host             the first mirror, {@code scheme://host[:port]}
 * @param path             replaces or prefixes the mirrored path, or {@code null} to keep it
 * @param path_concat_mode {@code replace} or {@code prefix}
 * @param sample_ratio     the share of requests mirrored to {@link #host}, in [1e-5, 1]
 * @param targets          more mirrors, each sampled on its own, or {@code null}
 * @param timeout          per-route timeouts in seconds, overriding {@code plugin_attr}, or {@code null}
 * @param headers          header changes made on the copies only, or {@code null}
 * @param body             whether copies carry the request body; {@code null} means yes
 * @param max_body_size    bodies larger than this many bytes are left out, or {@code null} for no cap
 * @param max_in_flight    copies in flight per target beyond which new ones are dropped, or {@code null}
 * @param ssl_verify       whether https mirrors' certificates are verified; {@code null} means yes
 */
record MirrorConfig(
        String host,
        @Nullable String path,
        @Nullable String path_concat_mode,
        double sample_ratio,
        @Nullable List<TargetConfig> targets,
        @Nullable TimeoutConfig timeout,
        @Nullable HeaderConfig headers,
        @Nullable Boolean body,
        @Nullable Long max_body_size,
        @Nullable Integer max_in_flight,
        @Nullable Boolean ssl_verify) {

    /** One entry of {@code targets}: the same four fields as the top level. */
    record TargetConfig(String host, @Nullable String path, @Nullable String path_concat_mode,
            double sample_ratio) {
    }

    /** Timeouts in seconds; an absent one falls back to {@code plugin_attr}, then to 60 s. */
    record TimeoutConfig(@Nullable Double connect, @Nullable Double send, @Nullable Double read) {
    }

    /** Changes made on the copies only: {@code remove} first, then {@code set}. */
    record HeaderConfig(@Nullable Map<String, String> set, @Nullable List<String> remove) {
    }
}
