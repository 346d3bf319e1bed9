package io.gatekit.spring.boot;

import io.gatekit.api.Nullable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code gatekit.*} properties. Routes come from one of two places:
 *
 * <pre>{@code
 * gatekit.config=classpath:apisix.yaml          # or a file, followed as it changes
 * # or
 * gatekit.etcd.endpoints=http://127.0.0.1:2379  # APISIX's keys under gatekit.etcd.prefix
 * }</pre>
 *
 * @param enabled whether Gatekit is configured at all; default {@code true}
 * @param config  an APISIX standalone document ({@code apisix.yaml} layout, YAML or JSON):
 *                {@code classpath:} and a resource (read once), or a file ({@code file:} optional),
 *                re-read when it changes; an invalid change is refused and the last good config
 *                stays in force
 * @param etcd    etcd as the config store, instead of {@code config}
 * @param extPlugin the Plugin Runner of the {@code ext-plugin-*} plugins, as APISIX's
 *                {@code ext-plugin} settings
 * @param plugins the plugins routes may use, as APISIX's {@code plugins} list
 *                ({@code gatekit.plugins=proxy-mirror,limit-count}); empty (default): every plugin
 *                found
 * @param pluginAttr node-level attributes per plugin, as APISIX's {@code plugin_attr}, each a JSON
 *                object: {@code gatekit.plugin-attr.proxy-mirror={"timeout": {"connect": 2}}}
 */
@ConfigurationProperties("gatekit")
public record GatekitProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable String config,
        @DefaultValue Etcd etcd,
        @DefaultValue ExtPlugin extPlugin,
        @DefaultValue List<String> plugins,
        @DefaultValue Map<String, String> pluginAttr) {

    /**
     * etcd in APISIX's key layout, read with {@code gatekit-config-etcd} (add it to the application).
     *
     * @param endpoints the etcd members, e.g. {@code http://127.0.0.1:2379}; none: etcd is not used
     * @param prefix    the key prefix; default {@code /apisix}, as APISIX's
     * @param timeout   how long one etcd call may take; default 30 s
     */
    public record Etcd(
            @DefaultValue List<URI> endpoints,
            @DefaultValue("/apisix") String prefix,
            @DefaultValue("30s") Duration timeout) {
    }

    /**
     * The ext-plugin runner, as APISIX's {@code ext-plugin} settings: a runner the application
     * starts ({@code cmd}: restarted when it exits, stopped with the application) or one started
     * by hand ({@code path-for-test}). With both, the runner started is told to listen on
     * {@code path-for-test}, as in APISIX; with {@code cmd} alone it gets a socket in a directory
     * only this user may enter. The {@code ext-plugin-*} plugins are pointed at the socket.
     *
     * <pre>{@code
     * gatekit.ext-plugin.cmd=java,-jar,/opt/apisix-runner-starter-0.4.0.jar
     * }</pre>
     *
     * @param cmd         the runner's argv, no shell; empty: no runner is started
     * @param pathForTest the unix socket of a runner started by hand
     */
    public record ExtPlugin(
            @DefaultValue List<String> cmd,
            @Nullable Path pathForTest) {
    }
}
