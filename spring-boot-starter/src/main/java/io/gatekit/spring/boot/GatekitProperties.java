package io.gatekit.spring.boot;

import io.gatekit.api.Nullable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
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
 */
@ConfigurationProperties("gatekit")
public record GatekitProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable String config,
        @DefaultValue Etcd etcd) {

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
}
