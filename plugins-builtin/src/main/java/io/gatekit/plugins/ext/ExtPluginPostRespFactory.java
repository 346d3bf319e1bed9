package io.gatekit.plugins.ext;

import io.gatekit.api.Plugin;

/**
 * {@code ext-plugin-post-resp} (priority -4000): hands the upstream's response to an external Plugin
 * Runner ({@code HTTPRespCall}: status and headers; the body when the runner asks with
 * {@code RespBody}) and applies the status, headers and body it answers. Config and attributes as
 * {@link ExtPluginPreReqFactory}, plus {@code header_mode}.
 *
 * <p>Differences from APISIX, each chosen for users:
 * <ul>
 *   <li>The upstream is called by the host like for any route, not by the plugin: route and
 *       upstream timeouts, retries, pass_host, X-Forwarded-*, TLS and keep-alive apply, and the
 *       plugin combines with {@code proxy-mirror} and every other plugin. The plugin runs in
 *       {@code header_filter} on the buffered upstream response. A response the upstream did not
 *       give (the host's 502 when it is down, a 504, a plugin's own answer) is passed on without
 *       asking the runner. A response without a body (HEAD, 204, 304) is handled like any other:
 *       the upstream is called once (APISIX calls it twice, apache/apisix#7792), the runner sees an
 *       empty body, and a body it returns is dropped since such a response cannot carry one.
 *   <li>{@code header_mode}: {@code merge} (default) applies the runner's headers on top of the
 *       upstream's (set, add, or delete with an entry without value), so Content-Type, Location and
 *       Content-Encoding survive. {@code replace} is APISIX's behaviour: any header from the runner
 *       replaces the whole upstream set (with none, the upstream headers stay).
 *   <li>When the runner fails and {@code allow_degradation} is true, the upstream status, headers
 *       and body go on unchanged (APISIX drops the headers).
 *   <li>The body handed to the runner is limited by {@code resp_body_limit} (node attribute, default
 *       16,776,192 bytes, what one frame carries): a runner asking for a larger one gets no answer
 *       and the client gets 502 (or the unchanged response with {@code allow_degradation}) at once,
 *       instead of a hang. Runner failures answer 503, a call over {@code timeout} 504.
 * </ul>
 *
 * <p>Like every header filter of lower priority, it runs after the other plugins' header filters:
 * it sees their changes and has the last word. Give it a higher {@code _meta.priority} to run it
 * earlier.
 */
public final class ExtPluginPostRespFactory extends ExtPluginFactory {

    public ExtPluginPostRespFactory() {
        super("ext-plugin-post-resp", -4000, true);
    }

    @Override
    Plugin newPlugin(ExtSetup setup) {
        return new PostRespPlugin(setup);
    }
}
