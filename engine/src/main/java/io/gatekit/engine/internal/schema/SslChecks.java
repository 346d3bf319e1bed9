package io.gatekit.engine.internal.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Violation;
import io.gatekit.engine.tls.Pem;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

/**
 * The checks of an {@code ssls} resource beyond its schema: that each PEM parses, that each key
 * belongs to its certificate, and that no certificate has expired. The texts are APISIX's
 * ({@code apisix/ssl.lua}, {@code check_ssl_conf}) where APISIX checks the same thing; APISIX does
 * not compare keys with certificates nor look at validity dates, so those texts are Gatekit's and
 * name the field.
 */
final class SslChecks {

    private SslChecks() {
    }

    static void check(JsonNode ssl, List<Violation> out) {
        String problem = pair(ssl.path("cert").asText(""), ssl.path("key").asText(""), "cert", "key");
        if (problem != null) {
            out.add(new Violation(problem.startsWith("failed to parse key") || problem.startsWith("key") ? "/key"
                    : "/cert", "pem", problem));
            return;
        }
        JsonNode certs = ssl.path("certs");
        JsonNode keys = ssl.path("keys");
        if (certs.size() != keys.size()) {
            out.add(new Violation(certs.size() > keys.size() ? "/keys" : "/certs", "pairs",
                    "mismatched number of certs and keys"));
            return;
        }
        for (int i = 0; i < certs.size(); i++) {
            String inner = pair(certs.get(i).asText(), keys.get(i).asText(), "certs[" + (i + 1) + "]",
                    "keys[" + (i + 1) + "]");
            if (inner != null) {
                boolean key = inner.startsWith("failed to parse key") || inner.startsWith("keys[");
                out.add(new Violation((key ? "/keys/" : "/certs/") + i, "pem",
                        "failed to handle cert-key pair[" + (i + 1) + "]: " + inner));
                return;
            }
        }
        JsonNode ca = ssl.path("client").path("ca");
        if (ca.isTextual()) {
            try {
                Pem.certificates(ca.asText());
            } catch (IllegalArgumentException e) {
                out.add(new Violation("/client/ca", "pem", "failed to validate client_cert: failed to parse cert: "
                        + e.getMessage()));
                return;
            }
        }
        for (JsonNode protocol : ssl.path("ssl_protocols")) {
            if (protocol.asText().equals("TLSv1.1")) {
                out.add(new Violation("/ssl_protocols", "protocol", "ssl_protocols: TLSv1.1 (expected: TLSv1.2 "
                        + "or TLSv1.3; TLSv1.1 is obsolete and disabled in the JDK and in BoringSSL's defaults)"));
                return;
            }
        }
    }

    /** What is wrong with one certificate and its key, or {@code null}. */
    private static @Nullable String pair(String certPem, String keyPem, String certField, String keyField) {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(certPem);
        } catch (IllegalArgumentException e) {
            return "failed to parse cert: " + e.getMessage();
        }
        PrivateKey key;
        try {
            key = Pem.privateKey(keyPem);
        } catch (IllegalArgumentException e) {
            return "failed to parse key: " + e.getMessage();
        }
        Date now = new Date();
        for (int i = 0; i < chain.size(); i++) {
            Date notAfter = chain.get(i).getNotAfter();
            if (notAfter.before(now)) {
                return certField + ": " + (i == 0 ? "the certificate" : "certificate " + (i + 1) + " of the chain")
                        + " expired on " + notAfter.toInstant() + " (expected: a certificate valid now)";
            }
        }
        if (!Pem.matches(chain.get(0), key)) {
            return keyField + ": does not match the certificate in " + certField
                    + " (expected: the private key of that certificate's public key)";
        }
        return null;
    }
}
