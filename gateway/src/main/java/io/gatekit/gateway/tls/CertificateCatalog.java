package io.gatekit.gateway.tls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.GatewayConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server certificates of the config in force, by SNI, as APISIX's {@code radixtree_sni}
 * matches them: an exact name first, then a wildcard ({@code *.example.com} covers one more label,
 * {@code a.example.com} but neither {@code example.com} nor {@code a.b.example.com}), then
 * {@code *}. SSLs with {@code status: 0} are left out.
 *
 * <p>The table is rebuilt when the engine's config version moves, on the first handshake after
 * the change: a handshake after a certificate changed gets the new one, connections already up
 * keep theirs. Only SSLs whose JSON changed get a new context.
 */
public final class CertificateCatalog {

    private static final System.Logger LOG = System.getLogger(CertificateCatalog.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final SslContexts contexts;
    private final @Nullable String fallbackSni;
    private volatile Table table = new Table(-1, Map.of(), Map.of(), List.of(), null, Map.of(), java.util.Set.of());

    /** The SSLs of {@code engine}, served as {@code tls} says. */
    public CertificateCatalog(Engine engine, GatewayConfig.Tls tls) {
        this.engine = engine;
        this.contexts = new SslContexts(tls.provider(), tls.protocols(), tls.http2());
        this.fallbackSni = tls.fallbackSni() == null ? null : normalize(tls.fallbackSni());
    }

    /** The TLS implementation in use: {@code OPENSSL} (BoringSSL) or {@code JDK}. */
    public SslProvider provider() {
        return contexts.provider();
    }

    /**
     * The context for a client that sent {@code sni} ({@code null}: none, then
     * {@code apisix.ssl.fallback_sni} is looked up), or {@code null} when no SSL matches.
     */
    @Nullable SslContext find(@Nullable String sni) {
        String name = sni == null ? fallbackSni : normalize(sni);
        if (name == null) {
            return null;
        }
        return current().find(name);
    }

    /**
     * Whether the SSL a request for {@code host} would be served by asks for a client certificate
     * ({@code client.ca}): APISIX checks this against the request's Host as well as the SNI, so
     * that a handshake made for another name does not pass a mutual TLS name by its Host.
     */
    public boolean requiresClientCertificate(String host) {
        SslContext context = current().find(normalize(host));
        return context != null && current().mutual.contains(context);
    }

    private Table current() {
        Table t = table;
        long version = engine.version();
        if (t.version == version) {
            return t;
        }
        synchronized (this) {
            t = table;
            if (t.version != engine.version()) {
                t = rebuild(t);
                table = t;
            }
            return t;
        }
    }

    private Table rebuild(Table previous) {
        long version = engine.version();
        List<Resource> ssls = new ArrayList<>(engine.list(ResourceKind.SSLS));
        ssls.sort(Comparator.comparing(Resource::id));
        Map<String, SslContext> built = new HashMap<>();
        java.util.Set<SslContext> mutual = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Map<String, SslContext> exact = new HashMap<>();
        Map<String, SslContext> oneLabel = new HashMap<>();
        List<Map.Entry<String, SslContext>> suffixes = new ArrayList<>();
        SslContext any = null;
        for (Resource resource : ssls) {
            JsonNode ssl;
            try {
                ssl = JSON.readTree(resource.json());
            } catch (java.io.IOException e) {
                continue; // the engine stores what it parsed: cannot happen
            }
            if (ssl.path("status").asInt(1) == 0) {
                continue;
            }
            SslContext context = previous.byJson.get(resource.json());
            if (context == null) {
                try {
                    context = contexts.build(ssl);
                } catch (Exception e) {
                    // the engine checked the PEMs: this is the provider refusing what the JDK read
                    LOG.log(System.Logger.Level.WARNING, "ssl " + resource.id() + " is not served: "
                            + e.getMessage());
                    continue;
                }
            }
            built.put(resource.json(), context);
            if (ssl.path("client").hasNonNull("ca")) {
                mutual.add(context);
            }
            List<String> names = new ArrayList<>();
            if (ssl.has("snis")) {
                ssl.get("snis").forEach(n -> names.add(normalize(n.asText())));
            } else {
                names.add(normalize(ssl.path("sni").asText()));
            }
            for (String name : names) {
                if (name.equals("*")) {
                    any = any == null ? context : any;
                } else if (name.startsWith("*.")) {
                    oneLabel.putIfAbsent(name.substring(1), context);
                } else if (name.startsWith("*")) {
                    suffixes.add(Map.entry(name.substring(1), context));
                } else {
                    exact.putIfAbsent(name, context);
                }
            }
        }
        suffixes.sort(Comparator.comparingInt((Map.Entry<String, SslContext> e) -> e.getKey().length()).reversed());
        return new Table(version, exact, oneLabel, suffixes, any, built, mutual);
    }

    /** Lower case, without a trailing dot, as APISIX's {@code ssl_filter} and {@code server_name}. */
    private static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private record Table(long version, Map<String, SslContext> exact, Map<String, SslContext> oneLabel,
            List<Map.Entry<String, SslContext>> suffixes, @Nullable SslContext any, Map<String, SslContext> byJson,
            java.util.Set<SslContext> mutual) {

        @Nullable SslContext find(String name) {
            SslContext found = exact.get(name);
            if (found != null) {
                return found;
            }
            int dot = name.indexOf('.');
            if (dot > 0) {
                found = oneLabel.get(name.substring(dot));
                if (found != null) {
                    return found;
                }
            }
            for (Map.Entry<String, SslContext> suffix : suffixes) {
                String key = suffix.getKey();
                if (name.length() > key.length() && name.endsWith(key)
                        && name.lastIndexOf('.', name.length() - key.length() - 1) < 0) {
                    return suffix.getValue();
                }
            }
            return any;
        }
    }
}
