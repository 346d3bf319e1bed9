package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;

/**
 * {@code plugin_attr.<plugin name>} of the node config: where the runner listens, set by the
 * gateway from {@code ext-plugin.cmd} (the socket of the runner it spawns) or
 * {@code ext-plugin.path_for_test}, and how to talk to it.
 *
 * <pre>{@code
 * {"socket_path": "/run/gatekit/runner.sock",
 *  "connect_timeout": 1, "send_timeout": 60, "read_timeout": 60,
 *  "resp_body_limit": 16776192}
 * }</pre>
 *
 * @param socket_path     the runner's unix socket, or {@code null} when no runner is configured
 * @param connect_timeout seconds to connect; default 1
 * @param send_timeout    seconds to send one frame; default 60
 * @param read_timeout    seconds to read one frame; default 60
 * @param resp_body_limit the largest upstream body handed to the runner (ExtraInfo RespBody), in
 *                        bytes; default and at most 16,776,192 (16 MiB - 1 KiB, what one frame carries)
 */
record ExtPluginAttributes(
        @Nullable String socket_path,
        @Nullable Double connect_timeout,
        @Nullable Double send_timeout,
        @Nullable Double read_timeout,
        @Nullable Long resp_body_limit) {
}
