package io.gatekit.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code apisix.ssl} and {@code apisix.enable_http2} of a config.yaml into {@link GatewayConfig.Tls}. */
final class TlsSettings {

    private TlsSettings() {
    }

    /** {@code apisix.ssl} and {@code apisix.enable_http2}. */
    static GatewayConfig.Tls read(JsonNode root) {
        JsonNode ssl = root.at("/apisix/ssl");
        boolean enabled = ConfigLoader.bool(ssl.path("enable"), "apisix.ssl.enable", false);
        List<GatewayConfig.Listen> listen = new ArrayList<>();
        JsonNode entries = ssl.path("listen");
        if (!entries.isMissingNode() && !entries.isNull() && !entries.isArray()) {
            throw new IllegalArgumentException("apisix.ssl.listen: " + entries
                    + " (expected: a list of {ip, port}, e.g. [{port: 9443}])");
        }
        int i = 0;
        for (JsonNode entry : entries) {
            String key = "apisix.ssl.listen[" + i++ + "]";
            if (!entry.isObject()) {
                throw new IllegalArgumentException(key + ": " + entry + " (expected: {ip, port}, e.g. {port: 9443})");
            }
            entry.fieldNames().forEachRemaining(name -> {
                if (name.equals("enable_http2")) {
                    throw new IllegalArgumentException(key + ": ERROR: port level enable_http2 in ssl.listen is "
                            + "deprecated from 3.9 version, and you should use enable_http2 in apisix level.");
                }
                if (name.equals("enable_http3") && entry.get(name).asBoolean(false)) {
                    throw new IllegalArgumentException(key + ".enable_http3: true (expected: false; Gatekit serves "
                            + "HTTP/1.1 and HTTP/2, not QUIC)");
                }
                if (!name.equals("ip") && !name.equals("port") && !name.equals("enable_http3")) {
                    throw new IllegalArgumentException(key + "." + name + ": unknown key (expected: ip, port)");
                }
            });
            String ip = ConfigLoader.text(entry.path("ip"), key + ".ip", "0.0.0.0");
            if (ip.startsWith("[") && ip.endsWith("]")) {
                ip = ip.substring(1, ip.length() - 1);
            }
            int port = entry.has("port") ? ConfigLoader.port(entry.get("port"), key + ".port") : 9443;
            listen.add(new GatewayConfig.Listen(ip, port));
        }
        if (enabled && listen.isEmpty()) {
            listen.add(new GatewayConfig.Listen("0.0.0.0", 9443));
        }
        List<String> protocols = new ArrayList<>();
        String protocolText = ConfigLoader.text(ssl.path("ssl_protocols"), "apisix.ssl.ssl_protocols", "TLSv1.2 TLSv1.3");
        for (String protocol : protocolText.trim().split("\\s+")) {
            if (!protocol.equals("TLSv1.2") && !protocol.equals("TLSv1.3")) {
                throw new IllegalArgumentException("apisix.ssl.ssl_protocols: " + protocolText
                        + " (expected: TLSv1.2, TLSv1.3 or both, separated by spaces)");
            }
            protocols.add(protocol);
        }
        JsonNode fallback = ssl.path("fallback_sni");
        String fallbackSni = fallback.isMissingNode() || fallback.isNull() ? null
                : ConfigLoader.text(fallback, "apisix.ssl.fallback_sni", "");
        if (fallbackSni != null && !fallbackSni.matches("^\\*?[0-9a-zA-Z-._]+$")) {
            throw new IllegalArgumentException("apisix.ssl.fallback_sni: " + fallbackSni
                    + " (expected: a host name such as my.default.domain)");
        }
        boolean http2 = ConfigLoader.bool(root.at("/apisix/enable_http2"), "apisix.enable_http2", true);
        String provider = ConfigLoader.text(root.at("/gatekit/ssl_provider"), "gatekit.ssl_provider", "auto");
        if (!provider.equals("auto") && !provider.equals("openssl") && !provider.equals("jdk")) {
            throw new IllegalArgumentException("gatekit.ssl_provider: " + provider
                    + " (expected: auto, openssl or jdk)");
        }
        return new GatewayConfig.Tls(enabled, listen, protocols, fallbackSni, http2, provider);
    }
}
