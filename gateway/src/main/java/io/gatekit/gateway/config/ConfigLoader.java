package io.gatekit.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gatekit.api.Nullable;
import io.gatekit.api.match.IpSet;
import io.gatekit.gateway.accesslog.AccessLogFormat;
import io.gatekit.gateway.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the node config: the embedded {@code default-config.yaml}, with the user's file (if any)
 * merged over it as APISIX merges {@code config.yaml} over {@code config-default.yaml}. Unknown keys
 * are reported as warnings; a value of the wrong form fails with the key named and the expected
 * form.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Every key path Gatekit reads; children of these may be free-form. */
    private static final Set<String> KNOWN = Set.of(
            "apisix", "apisix.node_listen", "apisix.enable_admin", "apisix.enable_http2", "apisix.ssl",
            "apisix.ssl.enable", "apisix.ssl.listen", "apisix.ssl.ssl_protocols", "apisix.ssl.fallback_sni",
            "gatekit.ssl_provider", "apisix.status", "apisix.status.ip", "apisix.status.port",
            "apisix.enable_control", "apisix.control", "apisix.control.ip", "apisix.control.port",
            "gatekit.apisix_metrics",
            "nginx_config.http.enable_access_log", "nginx_config.http.access_log",
            "nginx_config.http.access_log_format",
            "deployment", "deployment.role", "deployment.role_traditional",
            "deployment.role_traditional.config_provider", "deployment.role_data_plane",
            "deployment.role_data_plane.config_provider", "deployment.admin", "deployment.admin.admin_listen",
            "deployment.admin.admin_listen.ip", "deployment.admin.admin_listen.port", "deployment.admin.admin_key",
            "deployment.admin.allow_admin", "deployment.admin.admin_key_required",
            "deployment.etcd", "deployment.etcd.host", "deployment.etcd.prefix", "deployment.etcd.timeout",
            "plugins", "plugin_attr", "ext-plugin", "ext-plugin.cmd", "ext-plugin.path_for_test",
            "nginx_config", "nginx_config.worker_processes", "nginx_config.http",
            "nginx_config.http.client_max_body_size",
            "nginx_config.http.client_header_timeout", "nginx_config.http.keepalive_timeout",
            "nginx_config.http.client_body_timeout",
            "gatekit", "gatekit.body_buffer_limit", "gatekit.max_header_size", "gatekit.upstream_timeout",
            "gatekit.upstream_timeout.connect", "gatekit.upstream_timeout.send", "gatekit.upstream_timeout.read",
            "gatekit.standalone_config", "gatekit.transport");

    private ConfigLoader() {
    }

    /** The default config alone. */
    public static GatewayConfig defaults(Consumer<String> warnings) {
        return load(null, warnings);
    }

    /**
     * The default config with {@code file} merged over it.
     *
     * @throws IllegalArgumentException naming the key whose value is wrong
     */
    public static GatewayConfig load(@Nullable Path file, Consumer<String> warnings) {
        ObjectNode merged = (ObjectNode) readDefaults();
        Path base = null;
        if (file != null) {
            JsonNode user = read(file);
            if (user != null && !user.isNull()) {
                if (!user.isObject()) {
                    throw new IllegalArgumentException(file + ": expected a YAML mapping at the top level");
                }
                warnUnknown(user, "", warnings);
                merge(merged, (ObjectNode) user);
            }
            base = file.toAbsolutePath().getParent();
        }
        GatewayConfig config = fromTree(merged, base);
        if (config.extPluginPathForTest() != null) {
            warnings.accept("ext-plugin.path_for_test: " + config.extPluginPathForTest() + " is meant for tests, as"
                    + " in APISIX: " + (config.extPluginCmd() != null ? "the runner from ext-plugin.cmd is told to"
                    + " listen there instead of on a private socket" : "a runner started by hand is expected there"));
        }
        return config;
    }

    private static JsonNode readDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("default-config.yaml")) {
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("embedded default-config.yaml is unreadable", e);
        }
    }

    private static @Nullable JsonNode read(Path file) {
        try {
            return YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read config (" + e.getMessage() + ")", e);
        }
    }

    private static void warnUnknown(JsonNode node, String prefix, Consumer<String> warnings) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            String path = prefix.isEmpty() ? name : prefix + "." + name;
            if (path.startsWith("plugin_attr.")) {
                continue;
            }
            if (!KNOWN.contains(path)) {
                warnings.accept("unknown config key '" + path + "' is ignored");
                continue;
            }
            JsonNode child = node.get(name);
            if (child.isObject()) {
                warnUnknown(child, path, warnings);
            }
        }
    }

    /** Deep-merges {@code over} into {@code base}: mappings merge, everything else replaces. */
    static void merge(ObjectNode base, ObjectNode over) {
        over.fields().forEachRemaining(e -> {
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode target && e.getValue() instanceof ObjectNode source) {
                merge(target, source);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        });
    }

    private static GatewayConfig fromTree(JsonNode root, @Nullable Path base) {
        JsonNode listen = root.at("/apisix/node_listen");
        String nodeHost = "0.0.0.0";
        int nodePort;
        if (listen.isInt()) {
            nodePort = port(listen, "apisix.node_listen");
        } else if (listen.isArray() && listen.size() > 0) {
            JsonNode first = listen.get(0);
            for (JsonNode entry : listen) {
                if (entry.has("enable_http2")) {
                    // APISIX's own words (apisix/cli/ops.lua) since 3.9
                    throw new IllegalArgumentException("apisix.node_listen: ERROR: port level enable_http2 in "
                            + "node_listen is deprecated from 3.9 version, and you should use enable_http2 in apisix "
                            + "level.");
                }
            }
            nodePort = port(first.isObject() ? first.get("port") : first, "apisix.node_listen[0]");
            nodeHost = first.isObject() ? first.path("ip").asText(nodeHost) : nodeHost;
        } else {
            throw new IllegalArgumentException("apisix.node_listen: " + listen
                    + " (expected: a port, or a list of ports or of {ip, port})");
        }
        JsonNode admin = root.at("/deployment/admin");
        String adminHost = text(admin.at("/admin_listen/ip"), "deployment.admin.admin_listen.ip", "127.0.0.1");
        int adminPort = port(admin.at("/admin_listen/port"), "deployment.admin.admin_listen.port");
        List<GatewayConfig.AdminKey> keys = adminKeys(admin.path("admin_key"));
        List<String> allow = strings(admin.path("allow_admin"), "deployment.admin.allow_admin");
        for (int i = 0; i < allow.size(); i++) {
            if (!IpSet.isAddressOrCidr(allow.get(i))) {
                throw new IllegalArgumentException("deployment.admin.allow_admin[" + i + "]: \"" + allow.get(i)
                        + "\" (expected: " + IpSet.expectedForm() + ")");
            }
        }
        JsonNode pluginsNode = root.path("plugins");
        List<String> plugins = pluginsNode.isMissingNode() || pluginsNode.isNull() ? null
                : strings(pluginsNode, "plugins");
        Map<String, String> attrs = new LinkedHashMap<>();
        root.path("plugin_attr").fields().forEachRemaining(e -> attrs.put(e.getKey(), e.getValue().toString()));
        JsonNode prometheus = root.at("/plugin_attr/prometheus/export_addr");
        JsonNode ext = root.path("ext-plugin");
        List<String> cmd = ext.hasNonNull("cmd") ? strings(ext.get("cmd"), "ext-plugin.cmd") : null;
        String pathForTest = ext.hasNonNull("path_for_test") ? ext.get("path_for_test").asText() : null;
        JsonNode gatekit = root.path("gatekit");
        JsonNode timeouts = gatekit.path("upstream_timeout");
        Path standalone = null;
        if (gatekit.hasNonNull("standalone_config")) {
            standalone = Path.of(gatekit.get("standalone_config").asText());
        } else if ("yaml".equals(root.at("/deployment/role_data_plane/config_provider").asText(null))) {
            standalone = Path.of("apisix.yaml");
        }
        if (standalone != null && !standalone.isAbsolute() && base != null) {
            standalone = base.resolve(standalone);
        }
        GatewayConfig.Etcd etcd = etcd(root.path("deployment"));
        if (etcd != null && standalone != null) {
            throw new IllegalArgumentException("gatekit.standalone_config: " + standalone + " (expected: no "
                    + "standalone file when deployment.role_traditional.config_provider is etcd)");
        }
        boolean exampleKey = keys.stream().anyMatch(k -> k.key().equals(GatewayConfig.EXAMPLE_ADMIN_KEY));
        return new GatewayConfig(nodeHost, nodePort, adminHost, adminPort, keys, allow, plugins, attrs, cmd,
                pathForTest, text(prometheus.path("ip"), "plugin_attr.prometheus.export_addr.ip", "127.0.0.1"),
                prometheus.has("port") ? port(prometheus.get("port"), "plugin_attr.prometheus.export_addr.port")
                        : 9091,
                standalone, size(root.at("/nginx_config/http/client_max_body_size"),
                        "nginx_config.http.client_max_body_size"),
                (int) size(gatekit.path("body_buffer_limit"), "gatekit.body_buffer_limit"),
                (int) size(gatekit.path("max_header_size"), "gatekit.max_header_size"),
                seconds(timeouts.path("connect"), "gatekit.upstream_timeout.connect"),
                seconds(timeouts.path("send"), "gatekit.upstream_timeout.send"),
                seconds(timeouts.path("read"), "gatekit.upstream_timeout.read"), exampleKey,
                nginxTime(root.at("/nginx_config/http/client_header_timeout"),
                        "nginx_config.http.client_header_timeout"),
                nginxTime(root.at("/nginx_config/http/keepalive_timeout"), "nginx_config.http.keepalive_timeout"),
                nginxTime(root.at("/nginx_config/http/client_body_timeout"), "nginx_config.http.client_body_timeout"),
                etcd, TlsSettings.read(root), operations(root),
                Transport.checkMode(text(gatekit.path("transport"), Transport.KEY, "auto")),
                workerProcesses(root.at("/nginx_config/worker_processes")));
    }

    static boolean bool(JsonNode node, String key, boolean fallback) {
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: true or false)");
        }
        return node.asBoolean();
    }

    /** {@code apisix.status}, the control API and the access log keys of {@code nginx_config.http}. */
    private static GatewayConfig.Operations operations(JsonNode root) {
        JsonNode status = root.at("/apisix/status");
        String statusHost = null;
        int statusPort = 7085;
        if (!status.isMissingNode() && !status.isNull()) {
            if (!status.isObject()) {
                throw new IllegalArgumentException("apisix.status: " + status
                        + " (expected: a mapping such as {ip: 127.0.0.1, port: 7085})");
            }
            statusHost = text(status.path("ip"), "apisix.status.ip", "127.0.0.1");
            if (status.has("port")) {
                statusPort = port(status.get("port"), "apisix.status.port");
            }
        }
        JsonNode http = root.at("/nginx_config/http");
        boolean accessLog = bool(http.path("enable_access_log"), "nginx_config.http.enable_access_log", false);
        String path = text(http.path("access_log"), "nginx_config.http.access_log", "logs/access.log");
        if (path.isBlank()) {
            throw new IllegalArgumentException("nginx_config.http.access_log: \"" + path
                    + "\" (expected: a file path such as logs/access.log or /dev/stdout)");
        }
        String format = text(http.path("access_log_format"), "nginx_config.http.access_log_format",
                GatewayConfig.Operations.DEFAULT_ACCESS_LOG_FORMAT);
        AccessLogFormat.check(format, "nginx_config.http.access_log_format");
        boolean control = bool(root.at("/apisix/enable_control"), "apisix.enable_control", true);
        JsonNode controlAt = root.at("/apisix/control");
        if (!controlAt.isMissingNode() && !controlAt.isNull() && !controlAt.isObject()) {
            throw new IllegalArgumentException("apisix.control: " + controlAt
                    + " (expected: a mapping such as {ip: 127.0.0.1, port: 9090})");
        }
        String controlHost = text(controlAt.path("ip"), "apisix.control.ip", "127.0.0.1");
        int controlPort = controlAt.has("port") ? port(controlAt.get("port"), "apisix.control.port") : 9090;
        return new GatewayConfig.Operations(statusHost, statusPort, accessLog ? Path.of(path) : null,
                format, control ? controlHost : null, controlPort,
                bool(root.at("/gatekit/apisix_metrics"), "gatekit.apisix_metrics", false));
    }

    /**
     * {@code deployment.etcd} when the config provider is etcd, else {@code null}. Only the
     * traditional role (Admin API and data plane on every node) is supported with etcd.
     */
    private static GatewayConfig.@Nullable Etcd etcd(JsonNode deployment) {
        String role = text(deployment.path("role"), "deployment.role", "traditional");
        if (!role.equals("traditional") && !role.equals("data_plane")) {
            throw new IllegalArgumentException("deployment.role: " + role + " (expected: traditional or data_plane)");
        }
        if (role.equals("data_plane")) {
            String provider = text(deployment.at("/role_data_plane/config_provider"),
                    "deployment.role_data_plane.config_provider", "yaml");
            if (!provider.equals("yaml")) {
                throw new IllegalArgumentException("deployment.role_data_plane.config_provider: " + provider
                        + " (expected: yaml; for etcd use deployment.role: traditional)");
            }
            return null;
        }
        String provider = text(deployment.at("/role_traditional/config_provider"),
                "deployment.role_traditional.config_provider", "memory");
        if (provider.equals("memory")) {
            return null;
        }
        if (!provider.equals("etcd")) {
            throw new IllegalArgumentException("deployment.role_traditional.config_provider: " + provider
                    + " (expected: memory or etcd)");
        }
        JsonNode etcd = deployment.path("etcd");
        JsonNode hostNode = etcd.path("host");
        if (!hostNode.isArray() || hostNode.isEmpty()) {
            throw new IllegalArgumentException("deployment.etcd.host: " + hostNode
                    + " (expected: list of http(s) URLs, e.g. [\"http://127.0.0.1:2379\"])");
        }
        List<URI> hosts = new ArrayList<>();
        for (JsonNode host : hostNode) {
            URI uri = null;
            if (host.isTextual()) {
                try {
                    uri = new URI(host.asText());
                } catch (URISyntaxException e) {
                    uri = null;
                }
            }
            if (uri == null || uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null
                    || uri.getPort() < 0) {
                throw new IllegalArgumentException("deployment.etcd.host: " + host
                        + " (expected: list of http(s) URLs with host and port, e.g. http://127.0.0.1:2379)");
            }
            hosts.add(uri);
        }
        String prefix = text(etcd.path("prefix"), "deployment.etcd.prefix", "/apisix");
        if (!prefix.startsWith("/") || prefix.length() < 2 || prefix.endsWith("/")) {
            throw new IllegalArgumentException("deployment.etcd.prefix: " + prefix
                    + " (expected: a key prefix such as /apisix, starting and not ending with /)");
        }
        JsonNode timeout = etcd.path("timeout");
        Duration perCall = timeout.isMissingNode() || timeout.isNull() ? Duration.ofSeconds(30)
                : seconds(timeout, "deployment.etcd.timeout");
        return new GatewayConfig.Etcd(hosts, prefix, perCall);
    }

    private static List<GatewayConfig.AdminKey> adminKeys(JsonNode node) {
        List<GatewayConfig.AdminKey> keys = new ArrayList<>();
        if (!node.isArray()) {
            throw new IllegalArgumentException("deployment.admin.admin_key: " + node
                    + " (expected: a list of {name, key, role})");
        }
        int i = 0;
        for (JsonNode k : node) {
            String where = "deployment.admin.admin_key[" + i++ + "]";
            String role = k.path("role").asText("admin");
            if (!role.equals("admin") && !role.equals("viewer")) {
                throw new IllegalArgumentException(where + ".role: " + role + " (expected: admin or viewer)");
            }
            String key = k.path("key").asText("");
            if (key.isEmpty()) {
                throw new IllegalArgumentException(where + ".key: empty (expected: a non-empty secret)");
            }
            keys.add(new GatewayConfig.AdminKey(k.path("name").asText(role), key, role));
        }
        return keys;
    }

    static int port(JsonNode node, String key) {
        if (!node.canConvertToInt() || node.asInt() < 1 || node.asInt() > 65535 || !node.isIntegralNumber()) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: a port number 1..65535)");
        }
        return node.asInt();
    }

    static String text(JsonNode node, String key, String fallback) {
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: a string)");
        }
        return node.asText();
    }

    private static List<String> strings(JsonNode node, String key) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: a list of strings)");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(key + ": " + item + " (expected: a string)");
            }
            values.add(item.asText());
        }
        return values;
    }

    /** Sizes as nginx writes them: {@code 0}, {@code 8192}, {@code 512k}, {@code 16m}, {@code 1g}. */
    static long size(JsonNode node, String key) {
        if (node.isIntegralNumber() && node.asLong() >= 0) {
            return node.asLong();
        }
        String text = node.asText("").trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (text.endsWith("k")) {
            unit = 1024;
        } else if (text.endsWith("m")) {
            unit = 1024 * 1024;
        } else if (text.endsWith("g")) {
            unit = 1024L * 1024 * 1024;
        }
        String digits = unit == 1 ? text : text.substring(0, text.length() - 1);
        try {
            long value = Long.parseLong(digits);
            if (value >= 0) {
                return value * unit;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the key
        }
        throw new IllegalArgumentException(key + ": " + node + " (expected: a size such as 0, 8192, 512k, 16m)");
    }

    /**
     * {@code nginx_config.worker_processes} as nginx reads it: {@code auto} (returned as 0: one per
     * available processor) or a count of at least 1, written as a number or a string of digits.
     */
    static int workerProcesses(JsonNode node) {
        if (node.isMissingNode() || node.isNull() || "auto".equals(node.asText())) {
            return 0;
        }
        String text = node.isIntegralNumber() ? node.asText() : node.isTextual() ? node.asText().trim() : "";
        try {
            int count = Integer.parseInt(text);
            if (count >= 1 && count <= 1024) {
                return count;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the key
        }
        throw new IllegalArgumentException("nginx_config.worker_processes: " + node
                + " (expected: auto or a number of event loops from 1 to 1024)");
    }

    /** Times as nginx writes them: {@code 60} or {@code 60s} (seconds), {@code 500ms}, {@code 2m}. */
    static Duration nginxTime(JsonNode node, String key) {
        if (node.isNumber() && node.asDouble() > 0) {
            return Duration.ofMillis(Math.round(node.asDouble() * 1000));
        }
        String text = node.isTextual() ? node.asText().trim().toLowerCase(Locale.ROOT) : "";
        long unitMillis = 1000;
        String digits = text;
        if (text.endsWith("ms")) {
            unitMillis = 1;
            digits = text.substring(0, text.length() - 2);
        } else if (text.endsWith("s")) {
            digits = text.substring(0, text.length() - 1);
        } else if (text.endsWith("m")) {
            unitMillis = 60_000;
            digits = text.substring(0, text.length() - 1);
        }
        try {
            long value = Long.parseLong(digits);
            if (value > 0) {
                return Duration.ofMillis(value * unitMillis);
            }
        } catch (NumberFormatException ignored) {
            // reported below with the key
        }
        throw new IllegalArgumentException(key + ": " + node + " (expected: a time > 0 such as 60, 60s, 500ms, 2m)");
    }

    private static Duration seconds(JsonNode node, String key) {
        if (!node.isNumber() || node.asDouble() <= 0) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: seconds > 0)");
        }
        return Duration.ofMillis(Math.round(node.asDouble() * 1000));
    }
}
