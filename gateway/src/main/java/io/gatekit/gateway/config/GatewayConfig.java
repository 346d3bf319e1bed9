package io.gatekit.gateway.config;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.gateway.transport.Transport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The gateway's node config, read from an APISIX-style {@code config.yaml} by {@link ConfigLoader}.
 * Key names follow APISIX where Gatekit supports the same thing.
 *
 * @param nodeHost           data plane bind address ({@code apisix.node_listen[].ip}, default 0.0.0.0)
 * @param nodePort           data plane port ({@code apisix.node_listen}, default 9080)
 * @param adminHost          Admin API address ({@code deployment.admin.admin_listen.ip}, default 127.0.0.1)
 * @param adminPort          Admin API port ({@code deployment.admin.admin_listen.port}, default 9180);
 *                           equal to {@code nodePort}: served on the data port
 * @param adminKeys          {@code deployment.admin.admin_key}
 * @param allowAdmin         {@code deployment.admin.allow_admin} CIDRs
 * @param enabledPlugins     {@code plugins}: names usable in config, or {@code null} for all found
 * @param pluginAttributes   {@code plugin_attr}: per plugin, its attributes as JSON text
 * @param extPluginCmd       {@code ext-plugin.cmd}: the runner command, or {@code null}
 * @param extPluginPathForTest {@code ext-plugin.path_for_test}: a runner socket started by hand, or {@code null}
 * @param prometheusHost     {@code plugin_attr.prometheus.export_addr.ip}, default 127.0.0.1
 * @param prometheusPort     {@code plugin_attr.prometheus.export_addr.port}, default 9091
 * @param standaloneConfig   routes file in APISIX {@code apisix.yaml} layout, reloaded on change, or {@code null}
 * @param clientMaxBodySize  {@code nginx_config.http.client_max_body_size} in bytes; 0 = unlimited
 * @param bodyBufferLimit    largest body buffered for a plugin that needs it whole
 * @param maxHeaderSize      largest request header block before 431
 * @param upstreamConnectTimeout default upstream connect timeout
 * @param upstreamSendTimeout    default upstream send timeout
 * @param upstreamReadTimeout    default upstream read timeout
 * @param defaultAdminKeyInUse   whether the shipped example admin key is configured (a warning is logged)
 * @param clientHeaderTimeout    {@code nginx_config.http.client_header_timeout}: how long a client may take to
 *                               send a request head once it started one (408 and close above)
 * @param keepaliveTimeout       {@code nginx_config.http.keepalive_timeout}: how long a client connection may
 *                               sit idle between requests before it is closed
 * @param clientBodyTimeout      {@code nginx_config.http.client_body_timeout}: how long the gateway waits for
 *                               the next bytes of a request body it is reading (408 and close above)
 * @param etcd               where the config lives when {@code deployment.role_traditional.config_provider}
 *                           is {@code etcd}, or {@code null} (config in memory, or the standalone file)
 * @param tls                the TLS listeners ({@code apisix.ssl}) and HTTP/2 ({@code apisix.enable_http2})
 * @param operations         the status API and the access log
 * @param transport          {@code gatekit.transport}: {@code auto} (native epoll where it loads, else NIO),
 *                           {@code epoll} or {@code nio}
 * @param workerProcesses    {@code nginx_config.worker_processes}: how many event loops serve clients and
 *                           upstreams, as nginx's worker processes; 0 for {@code auto}, one per available
 *                           processor (see {@link Transport#workerLoops})
 */
public record GatewayConfig(String nodeHost, int nodePort, String adminHost, int adminPort,
        List<AdminKey> adminKeys, List<String> allowAdmin, @Nullable List<String> enabledPlugins,
        Map<String, String> pluginAttributes, @Nullable List<String> extPluginCmd,
        @Nullable String extPluginPathForTest, String prometheusHost, int prometheusPort,
        @Nullable Path standaloneConfig, long clientMaxBodySize, int bodyBufferLimit, int maxHeaderSize,
        Duration upstreamConnectTimeout, Duration upstreamSendTimeout, Duration upstreamReadTimeout,
        boolean defaultAdminKeyInUse, Duration clientHeaderTimeout, Duration keepaliveTimeout,
        Duration clientBodyTimeout, @Nullable Etcd etcd, Tls tls,
        Operations operations, String transport, int workerProcesses) {

    /** The example key of APISIX's docs, shipped in the default config so the docs' curl lines work. */
    public static final String EXAMPLE_ADMIN_KEY = "edd1c9f034335f136f87ad84b625c8f1";

    public GatewayConfig {
        requireNonNull(nodeHost, "nodeHost");
        requireNonNull(adminHost, "adminHost");
        adminKeys = List.copyOf(adminKeys);
        allowAdmin = List.copyOf(allowAdmin);
        enabledPlugins = enabledPlugins == null ? null : List.copyOf(enabledPlugins);
        pluginAttributes = Map.copyOf(pluginAttributes);
        extPluginCmd = extPluginCmd == null ? null : List.copyOf(extPluginCmd);
        requireNonNull(clientHeaderTimeout, "clientHeaderTimeout");
        requireNonNull(keepaliveTimeout, "keepaliveTimeout");
        requireNonNull(clientBodyTimeout, "clientBodyTimeout");
        requireNonNull(tls, "tls");
        requireNonNull(operations, "operations");
        requireNonNull(transport, "transport");
    }

    /** Whether the Admin API shares the data plane's port (APISIX's older layout). */
    public boolean adminOnDataPort() {
        return adminPort == nodePort && nodePort != 0;
    }

    /**
     * A copy listening on other ports (0 = any free port), for tests and side-by-side runs; the
     * TLS listeners and the control API take free ports (set fixed ones with {@link #withTls} and
     * {@link #withOperations}).
     */
    public GatewayConfig withPorts(int node, int admin, int prometheus) {
        Tls freeTls = tls.withListen(tls.enabled(), tls.listen().stream().map(l -> new Listen(l.ip(), 0)).toList());
        return with(node, admin, prometheus, freeTls, operations.withControl(operations.controlHost(), 0), transport);
    }

    /** A copy with other TLS and HTTP/2 settings, for tests and side-by-side runs. */
    public GatewayConfig withTls(Tls other) {
        return with(nodePort, adminPort, prometheusPort, other, operations, transport);
    }

    /** A copy with other {@link Operations} (a status port of 0, an access log in a test's folder). */
    public GatewayConfig withOperations(Operations other) {
        return with(nodePort, adminPort, prometheusPort, tls, other, transport);
    }

    /** A copy on another socket transport ({@code auto}, {@code epoll} or {@code nio}). */
    public GatewayConfig withTransport(String other) {
        return with(nodePort, adminPort, prometheusPort, tls, operations, other);
    }

    private GatewayConfig with(int node, int admin, int prometheus, Tls newTls, Operations newOperations,
            String newTransport) {
        return new GatewayConfig(nodeHost, node, adminHost, admin, adminKeys, allowAdmin, enabledPlugins,
                pluginAttributes, extPluginCmd, extPluginPathForTest, prometheusHost, prometheus, standaloneConfig,
                clientMaxBodySize, bodyBufferLimit, maxHeaderSize, upstreamConnectTimeout, upstreamSendTimeout,
                upstreamReadTimeout, defaultAdminKeyInUse, clientHeaderTimeout, keepaliveTimeout, clientBodyTimeout,
                etcd, newTls, newOperations, newTransport, workerProcesses);
    }

    /**
     * TLS on the data plane ({@code apisix.ssl}) and HTTP/2 on every data plane listener.
     *
     * @param enabled     {@code apisix.ssl.enable}
     * @param listen      {@code apisix.ssl.listen}: the addresses served with TLS
     * @param protocols   {@code apisix.ssl.ssl_protocols}: the TLS versions of an SSL that names none
     * @param fallbackSni {@code apisix.ssl.fallback_sni}: the name looked up when a client sends no SNI,
     *                    or {@code null} (such a handshake fails)
     * @param http2       {@code apisix.enable_http2}: h2 through ALPN on the TLS listeners, h2c with
     *                    prior knowledge on {@code node_listen}
     * @param provider    {@code gatekit.ssl_provider}: {@code auto} (BoringSSL where its native
     *                    library loads, else the JDK), {@code openssl} or {@code jdk}
     */
    public record Tls(boolean enabled, List<Listen> listen, List<String> protocols, @Nullable String fallbackSni,
            boolean http2, String provider) {
        public Tls {
            listen = List.copyOf(listen);
            protocols = List.copyOf(protocols);
            requireNonNull(provider, "provider");
        }

        /** A copy with {@code enabled} TLS on {@code listen}. */
        public Tls withListen(boolean enabled, List<Listen> listen) {
            return new Tls(enabled, listen, protocols, fallbackSni, http2, provider);
        }

        /** A copy using {@code provider}. */
        public Tls withProvider(String provider) {
            return new Tls(enabled, listen, protocols, fallbackSni, http2, provider);
        }
    }

    /**
     * One TLS listener ({@code apisix.ssl.listen[]}).
     *
     * @param ip   the address, default {@code 0.0.0.0}; an IPv6 one such as {@code [::]} listens on IPv6
     * @param port the port, default 9443; 0 picks a free one
     */
    public record Listen(String ip, int port) {
        public Listen {
            requireNonNull(ip, "ip");
        }
    }

    /**
     * What operators watch the node by.
     *
     * @param statusHost      {@code apisix.status.ip} (default 127.0.0.1), or {@code null} when
     *                        {@code apisix.status} is absent: no status API, as in APISIX
     * @param statusPort      {@code apisix.status.port}, default 7085
     * @param accessLog       {@code nginx_config.http.access_log}: the file, or {@code null} when
     *                        {@code nginx_config.http.enable_access_log} is false
     * @param accessLogFormat {@code nginx_config.http.access_log_format}, nginx variables such as {@code $status}
     * @param controlHost     {@code apisix.control.ip} (default 127.0.0.1), or {@code null} when
     *                        {@code apisix.enable_control} is false: APISIX's control API
     *                        ({@code /v1/healthcheck})
     * @param controlPort     {@code apisix.control.port}, default 9090
     * @param apisixMetrics   {@code gatekit.apisix_metrics}: the Prometheus endpoint also exports APISIX's
     *                        series under APISIX's names ({@code apisix_http_status}, ...), default false
     */
    public record Operations(@Nullable String statusHost, int statusPort, @Nullable Path accessLog,
            String accessLogFormat, @Nullable String controlHost, int controlPort, boolean apisixMetrics) {

        /** APISIX's default {@code access_log_format}. */
        public static final String DEFAULT_ACCESS_LOG_FORMAT = "$remote_addr - $remote_user [$time_local] $http_host"
                + " \"$request\" $status $body_bytes_sent $request_time \"$http_referer\" \"$http_user_agent\""
                + " $upstream_addr $upstream_status $upstream_response_time"
                + " \"$upstream_scheme://$upstream_host$upstream_uri\" \"$apisix_request_id\"";

        /** No status API, no access log, no control API. */
        public static final Operations NONE = new Operations(null, 7085, null, DEFAULT_ACCESS_LOG_FORMAT, null, 9090,
                false);

        public Operations {
            requireNonNull(accessLogFormat, "accessLogFormat");
        }

        /** A copy whose control API ({@code null}: none) listens on {@code host}:{@code port}. */
        public Operations withControl(@Nullable String host, int port) {
            return new Operations(statusHost, statusPort, accessLog, accessLogFormat, host, port, apisixMetrics);
        }

        /** A copy that exports APISIX's metric names or not. */
        public Operations withApisixMetrics(boolean on) {
            return new Operations(statusHost, statusPort, accessLog, accessLogFormat, controlHost, controlPort, on);
        }
    }

    /**
     * The etcd cluster the config lives in ({@code deployment.etcd}).
     *
     * @param hosts   {@code deployment.etcd.host}: etcd URLs
     * @param prefix  {@code deployment.etcd.prefix}: key prefix, default {@code /apisix}
     * @param timeout {@code deployment.etcd.timeout}: per call, default 30 s
     */
    public record Etcd(List<URI> hosts, String prefix, Duration timeout) {
        public Etcd {
            hosts = List.copyOf(hosts);
            requireNonNull(prefix, "prefix");
            requireNonNull(timeout, "timeout");
        }
    }

    /**
     * An admin key.
     *
     * @param name its name
     * @param key  the secret
     * @param role {@code admin} (all methods) or {@code viewer} (GET only)
     */
    public record AdminKey(String name, String key, String role) {
        public AdminKey {
            requireNonNull(name, "name");
            requireNonNull(key, "key");
            requireNonNull(role, "role");
        }
    }
}
