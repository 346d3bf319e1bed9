package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;

/**
 * {@code plugin_attr.proxy-mirror} of the node config, as APISIX's {@code config.yaml} has it:
 * {@code {"timeout": {"connect": "60s", "read": "60s", "send": "60s"}}}. Values are nginx times
 * ({@code 60s}, {@code 500ms}, {@code 1m}) or plain numbers of seconds, hence strings.
 *
 * @param timeout the node-wide mirror timeouts, or {@code null}
 */
record MirrorAttributes(@Nullable Timeout timeout) {

    /** Each value is an nginx time or a number of seconds; {@code null} when not set. */
    record Timeout(@Nullable String connect, @Nullable String read, @Nullable String send) {
    }
}
