package io.gatekit.gateway.tls;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.tls.Pem;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * Builds the server {@link SslContext} of one {@code ssls} resource: every certificate and key
 * pair it holds ({@code cert}/{@code key}, then {@code certs}/{@code keys}: an RSA and an ECDSA
 * pair side by side, the handshake picking what the client supports; such an SSL is served by the
 * JDK's provider), its {@code ssl_protocols}
 * (else the listener's), {@code client.ca} and {@code client.depth} for mutual TLS, and ALPN
 * ({@code h2}, {@code http/1.1}) when HTTP/2 is on.
 */
final class SslContexts {

    private static final char[] PASSWORD = "gatekit".toCharArray();

    private final SslProvider provider;
    private final List<String> defaultProtocols;
    private final boolean http2;

    SslContexts(String provider, List<String> defaultProtocols, boolean http2) {
        this.provider = provider(provider);
        this.defaultProtocols = List.copyOf(defaultProtocols);
        this.http2 = http2;
    }

    /** The provider {@code name} stands for: {@code openssl} fails when BoringSSL does not load. */
    static SslProvider provider(String name) {
        return switch (name) {
            case "jdk" -> SslProvider.JDK;
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("gatekit.ssl_provider: openssl (expected: auto or jdk here: "
                            + "netty-tcnative-boringssl-static does not load: " + OpenSsl.unavailabilityCause() + ")");
                }
                yield SslProvider.OPENSSL;
            }
            default -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    SslProvider provider() {
        return provider;
    }

    /** The context of {@code ssl}, an {@code ssls} resource the engine has validated. */
    SslContext build(JsonNode ssl) throws GeneralSecurityException, SSLException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try {
            keys.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("empty key store", e);
        }
        addPair(keys, "0", ssl.path("cert").asText(), ssl.path("key").asText());
        for (int i = 0; i < ssl.path("certs").size(); i++) {
            addPair(keys, String.valueOf(i + 1), ssl.path("certs").get(i).asText(), ssl.path("keys").get(i).asText());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance("NewSunX509");
        managers.init(keys, PASSWORD);
        List<String> protocols = new ArrayList<>();
        ssl.path("ssl_protocols").forEach(p -> protocols.add(p.asText()));
        // BoringSSL through Netty sets one key pair per handshake, chosen before it knows which the
        // client can use: an SSL with an RSA and an ECDSA pair is served by the JDK's provider,
        // whose key manager picks the pair by the client's cipher suites and signature schemes
        SslProvider chosen = ssl.path("certs").size() > 0 ? SslProvider.JDK : provider;
        // one pair: handed over as key and chain, which BoringSSL converts once; through a key
        // manager it would convert them again in every handshake
        SslContextBuilder builder = (chosen == SslProvider.JDK ? SslContextBuilder.forServer(managers)
                : SslContextBuilder.forServer(Pem.privateKey(ssl.path("key").asText()),
                        Pem.certificates(ssl.path("cert").asText()).toArray(new X509Certificate[0])))
                .sslProvider(chosen).protocols(protocols.isEmpty() ? defaultProtocols : protocols);
        JsonNode client = ssl.path("client");
        if (client.hasNonNull("ca")) {
            List<X509Certificate> authorities = Pem.certificates(client.get("ca").asText());
            builder.trustManager(new ClientCertificateTrust(authorities, client.path("depth").asInt(1)))
                    .clientAuth(ClientAuth.REQUIRE);
        }
        if (http2) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        return builder.build();
    }

    private static void addPair(KeyStore store, String alias, String certPem, String keyPem)
            throws GeneralSecurityException {
        List<X509Certificate> chain = Pem.certificates(certPem);
        store.setKeyEntry(alias, Pem.privateKey(keyPem), PASSWORD, chain.toArray(new X509Certificate[0]));
    }
}
