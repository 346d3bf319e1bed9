package io.gatekit.plugins.ext;

import io.gatekit.api.Plugin;

/**
 * {@code ext-plugin-pre-req} (priority 12000, rewrite phase): hands the request to an external
 * Plugin Runner before any other plugin, as APISIX does, and applies its answer. Its siblings are
 * {@link ExtPluginPostReqFactory} and {@link ExtPluginPostRespFactory}; all three share this
 * config:
 *
 * <pre>{@code
 * "ext-plugin-pre-req": {
 *   "conf": [{"name": "auth", "value": "{\"realm\":\"api\"}"}],
 *   "allow_degradation": false,
 *   "read_request_body": true,
 *   "timeout": 5
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code conf} (APISIX): the runner plugins to run, in order ({@code name} 1..128 characters,
 *       {@code value} their config string); optional, at least one entry when given.
 *   <li>{@code allow_degradation} (APISIX, default {@code false}): when the runner fails, go on
 *       as if the plugin were not there instead of answering with an error.
 *   <li>{@code read_request_body} (extension, default {@code true}): the host reads the request
 *       body whole before the plugin runs, so a runner that asks for it ({@code ReqBody}) gets it
 *       and may replace it. APISIX reads the body when the runner asks; here a body that streamed
 *       past cannot be read back, so the plugin asks for it up front. Set {@code false} on routes
 *       with large uploads whose runner plugins never read the body: the body then streams, and a
 *       runner that asks anyway gets an empty body (logged once).
 *   <li>{@code timeout} (extension, default 5 s): how long one runner call may take, conf-token
 *       preparation and the runner's questions included. A call that takes longer answers 504, or
 *       goes on unchanged with {@code allow_degradation}. APISIX only has its 60 s socket timeouts.
 *   <li>{@code header_mode} ({@code ext-plugin-post-resp} only): see there.
 * </ul>
 *
 * <p>Where the runner is comes from the node attributes the gateway sets from its
 * {@code ext-plugin.cmd} or {@code ext-plugin.path_for_test}, {@code plugin_attr.<plugin name>}:
 * {@code {"socket_path": "/path/to/runner.sock", "connect_timeout": 1, "send_timeout": 60,
 * "read_timeout": 60, "resp_body_limit": 16776192}} (timeouts in seconds, per frame, as APISIX's;
 * the body limit in bytes). Every instance with the same socket path and timeouts shares one client,
 * its connections and its conf tokens. Without a socket path, configs are still accepted; each
 * request then fails as if the runner were down, and the plugin says once what to configure.
 *
 * <p>The runner's answer is applied as APISIX applies it: a Stop answers the client (status 0 is
 * 200, header names lower-cased, the first value of a name set and later ones added); a Rewrite
 * changes the path (percent-encoded, so it cannot carry a query), sets or deletes headers
 * ({@code host} changes the Host the upstream gets), sets or deletes arguments (a name's first
 * value replaces, later ones add), replaces a non-empty body, and adds {@code resp_headers} to the
 * response the client eventually gets, except those APISIX excludes (Content-Type, Location,
 * Content-Length, ...).
 *
 * <p>Failures: runner not configured, unreachable, broken or answering an error → 503; call over
 * {@code timeout} → 504; a request body over 16,776,192 bytes asked for → 413. With
 * {@code allow_degradation} each of them lets the request go on unchanged. A conf token the runner
 * forgot (it restarted) is prepared again and the call retried, up to three attempts, as APISIX.
 *
 * <p>Metrics: {@code gatekit_ext_plugin_calls_total{plugin,result}} ({@code ok},
 * {@code not_configured}, {@code unavailable}, {@code error}, {@code timeout},
 * {@code body_too_large}), {@code gatekit_ext_plugin_degraded_total{plugin}} and
 * {@code gatekit_ext_plugin_latency_seconds{plugin}}.
 */
public final class ExtPluginPreReqFactory extends ExtPluginFactory {

    public ExtPluginPreReqFactory() {
        super("ext-plugin-pre-req", 12000, false);
    }

    @Override
    Plugin newPlugin(ExtSetup setup) {
        return new PreReqPlugin(setup);
    }
}
